export * from './money';
export * from './entities';
export * from './errors';
export * from './ports';
export * from './source-of-truth';
export * from './cursor';
export * from './error-codes';
export * from './staleness';
