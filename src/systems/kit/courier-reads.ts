/** Moved to the adapter kit (src/systems/kit/adapter/batches.ts), which adapters may import: import it from there. */
export { readEachOrder } from './adapter/batches';
