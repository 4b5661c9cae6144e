/**
 * The monthly integrations health report and the quarterly Source-of-Truth review (`npm run report`): figures from
 * the integration log, drift, conflicts, alerts and outbox, aggregated in SQL on SQLite or PostgreSQL, written as one
 * self-contained HTML page with inline SVG charts and as Markdown.
 */
export { buildMonthlyHealthReport, type CallFigures, type DayFigures, type MonthlyHealthReport, type SystemHealth } from './health';
export { buildSourceOfTruthReview, type FieldReview, type SourceOfTruthReview } from './review';
export { renegotiate, RENEGOTIATION_THRESHOLDS, type Recommendation, type RenegotiationTopic } from './renegotiate';
export { parseMonth, parseQuarter, PeriodError, type ReportPeriod } from './period';
export { renderHealthReportHtml } from './render-health-html';
export { renderReviewHtml } from './render-review-html';
export { renderHealthReportMarkdown, renderReviewMarkdown } from './render-markdown';
export { writeReport, type WrittenReport } from './write-report';
