// One root logger; modules take children. Tokens, ID numbers, phones and bank accounts are redacted.
import pino, { type Logger } from "pino";

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: "hpf-hub" },
    redact: {
      paths: [
        "req.headers.authorization",
        "headers.authorization",
        "authorization",
        "token",
        "*.token",
        "idNumber",
        "*.idNumber",
        "phone",
        "*.phone",
        "bankAccount",
        "*.bankAccount",
      ],
      censor: "[redacted]",
    },
  });
}
