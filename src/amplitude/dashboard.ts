// Dashboard REST, annotation, cohort and event-type bodies (amplitude-api.md §3, §6–§10) → plain
// rows, one module per endpoint family under dashboard/. Amplitude formats only; what a row becomes
// in the tap's output is decided by the streams.
export { DashboardBodyError, type Parsed } from './dashboard/body.js';
export { activeUsersByDay, calendarDate, sessionLengthByDay, type ActiveUsersDay, type SessionLengthDay } from './dashboard/daily-series.js';
export { annotationsFromV2, annotationsFromV3, utcTimestamp, type Annotation } from './dashboard/annotations.js';
export { cohortsFrom, epochSecondsToUtc, type Cohort } from './dashboard/cohorts.js';
export { eventTypesFrom, type EventType } from './dashboard/event-types.js';
