// One pino logger for the process; modules take children: log.child({ hostId }), log.child({ jobId, stage }).
import { pino, type Logger } from "pino";

export type { Logger };

const REDACT_PATHS = [
  "password",
  "*.password",
  "privateKey",
  "*.privateKey",
  "token",
  "*.token",
  "authorization",
  "*.authorization",
  "req.headers.authorization",
  "req.headers.cookie",
  "smtpUrl",
  "*.smtpUrl",
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: "[redacted]" } }, destination);
}
