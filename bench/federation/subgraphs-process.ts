import '../kit/guard';
import { serveChild } from '../kit/child';
import { serveBenchSubgraphs } from './serve-subgraphs';

/** A child process serving the four benchmark subgraphs, pinned by its parent beside the load generator. */
async function main(): Promise<void> {
  const running = await serveBenchSubgraphs();
  serveChild({ origin: running.origin }, {
    close: running.close,
    calls: {
      traffic: () => ({ ...running.traffic }),
      'reset-traffic': () => {
        running.traffic.requests = 0;
        running.traffic.withAuthorization = 0;
      },
    },
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
