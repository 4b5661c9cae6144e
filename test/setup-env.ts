import { installNetworkGuard } from './support/network-guard';

// Apollo Gateway exports usage telemetry and probes cloud metadata hosts unless this is set; it must be set before
// anything imports @apollo/gateway (see README, "Nothing phones home").
process.env.APOLLO_TELEMETRY_DISABLED = 'true';

// Tests reach 127.0.0.1 only: a connection or lookup anywhere else throws, naming the host.
installNetworkGuard();
