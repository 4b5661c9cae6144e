/**
 * Apollo Gateway exports usage telemetry and probes cloud-metadata hosts unless APOLLO_TELEMETRY_DISABLED is set.
 * Plugboard keeps it off unless a user opts in with PLUGBOARD_APOLLO_TELEMETRY=on. Import this before anything that
 * imports @apollo/gateway.
 */
if (process.env.PLUGBOARD_APOLLO_TELEMETRY !== 'on') process.env.APOLLO_TELEMETRY_DISABLED = 'true';
export {};
