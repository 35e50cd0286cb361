/** Typed failures of the connectors to other agencies. Messages name the connector and the cause,
 *  never a response body: agency answers can carry personal data. */

export interface ConnectorErrorOptions {
  cause?: unknown;
  /** HTTP status of the answer, when there was one. */
  status?: number;
}

/** The agency could not be used: unreachable, too slow, answering 5xx/4xx, or its breaker is open. */
export class ConnectorUnavailableError extends Error {
  readonly code = "CONNECTOR_UNAVAILABLE";
  readonly status: number | undefined;

  constructor(
    public readonly connector: string,
    message: string,
    options?: ConnectorErrorOptions,
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.status = options?.status;
  }
}

/** The agency answered, but the answer is not what the contract promises: never trusted. */
export class ConnectorResponseError extends ConnectorUnavailableError {}
