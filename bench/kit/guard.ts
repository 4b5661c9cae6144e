import { installNetworkGuard } from '../../test/support/network-guard';

/**
 * Every benchmark process keeps to this machine, like the tests: Apollo's usage telemetry and cloud probes are off,
 * and any connection or lookup beyond 127.0.0.1 / localhost throws, naming the host. Import first.
 */
process.env.APOLLO_TELEMETRY_DISABLED = 'true';
installNetworkGuard();
