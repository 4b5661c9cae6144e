import '../kit/guard';
import { serveChild } from '../kit/child';
import { runIntegration, type IntegrationSettings } from './run-integration';

/**
 * Part b (the integration workload and the failure path) in a process of its own, which loads the product and
 * nothing of the benchmark's other parts: a gateway in production shares its heap with no load generator, Hive
 * Gateway or federation harness, and the garbage collector's work grows with what the heap holds. Run in the
 * benchmark's own process, after the federation part's modules were loaded, an uncached page measured 37.4 ms of
 * CPU, where the product alone in a process (profile-page.ts, the same pages, 7 December) measured 25.8-26.8.
 */
serveChild(
  {},
  {
    close: async () => undefined,
    calls: {
      run: (settings) => runIntegration(settings as IntegrationSettings, (line) => process.stdout.write(`${line}\n`)),
    },
  },
);
