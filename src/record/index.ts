/**
 * Record and replay (issue 20 item 6, docs/autopilot.md): a window of a system's traffic, redacted by the same rules as
 * the logs, kept as a cassette that contract tests replay and `npm run doctor` holds against the vendor's description.
 */
export { cassetteFileOf, readCassette, writeCassette, CASSETTE_VERSION, type Cassette, type CassetteEntry } from './cassette';
export { createRecorder, type Recorder, type RecorderOptions } from './recorder';
export { recordSystem, RecordError, type RecordSystemOptions } from './record-system';
export { startReplayServer, type ReplayOptions, type ReplayServer } from './replay';
