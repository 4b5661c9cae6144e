export { answerChangeSchema, changedAnswer, startSandbox, type AnswerChange } from './create-sandbox';
export type { FailureBody, RunningSandbox, SandboxContext, SandboxDefinition, SandboxRateLimit } from './create-sandbox';
export { faultSettingSchema, type FaultSetting } from './faults';
export { RecordStore, RequestStats } from './records';
