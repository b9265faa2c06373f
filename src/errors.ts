/**
 * Failures of Verdict or of Docker, never of the candidate. Each failure mode has
 * its own class and a stable `code`; callers and clients match on `code`.
 * None of these may ever be turned into a candidate verdict.
 */
export abstract class VerdictError extends Error {
  abstract readonly code: string;
  abstract readonly statusCode: number;
  /** Whether the same request may succeed when sent again (here or to another replica). */
  abstract readonly retryable: boolean;
  /** Seconds a client should wait before retrying, sent as Retry-After. */
  readonly retryAfterSeconds: number | undefined = undefined;
}

export class DockerUnavailableError extends VerdictError {
  override name = 'DockerUnavailableError';
  readonly code = 'VERDICT_DOCKER_UNAVAILABLE';
  readonly statusCode = 503;
  readonly retryable = true;
  override readonly retryAfterSeconds = 5;
}

export class SandboxStartError extends VerdictError {
  override name = 'SandboxStartError';
  readonly code = 'VERDICT_SANDBOX_START_FAILED';
  readonly statusCode = 503;
  readonly retryable = true;
  override readonly retryAfterSeconds = 1;
}

/** The supervisor broke its protocol, died, or stopped answering. */
export class SandboxFailedError extends VerdictError {
  override name = 'SandboxFailedError';
  readonly code = 'VERDICT_SANDBOX_FAILED';
  readonly statusCode = 503;
  readonly retryable = true;
  override readonly retryAfterSeconds = 1;
}

/** A paired run's trusted test process could not start or ended without its report: Verdict's failure, as the candidate cannot reach it. */
export class TrustedRunnerFailedError extends VerdictError {
  override name = 'TrustedRunnerFailedError';
  readonly code = 'VERDICT_TRUSTED_RUNNER_FAILED';
  readonly statusCode = 503;
  readonly retryable = true;
  override readonly retryAfterSeconds = 1;
}

export class ImageMissingError extends VerdictError {
  override name = 'ImageMissingError';
  readonly code = 'VERDICT_IMAGE_MISSING';
  readonly statusCode = 503;
  readonly retryable = true;
  override readonly retryAfterSeconds = 30;
}

/** Backpressure, not a failure: 429 with a Retry-After estimated from the queue's drain rate. */
export class QueueFullError extends VerdictError {
  override name = 'QueueFullError';
  readonly code = 'VERDICT_QUEUE_FULL';
  readonly statusCode = 429;
  readonly retryable = true;
  constructor(
    message: string,
    override readonly retryAfterSeconds: number = 1,
  ) {
    super(message);
  }
}

/**
 * The caller's deadline cannot be met: the expected wait for a slot plus the program's own limits
 * exceed it. Answered at once, before queueing, so a client that retries (verl retries on 504) is
 * not left waiting past its own timeout for an answer it would throw away.
 */
export class DeadlineUnreachableError extends VerdictError {
  override name = 'DeadlineUnreachableError';
  readonly code = 'VERDICT_DEADLINE_UNREACHABLE';
  readonly statusCode = 504;
  readonly retryable = true;
  constructor(
    message: string,
    override readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** The client went away or its batch deadline passed: the work was dropped, nobody is waiting for it. */
export class CancelledError extends VerdictError {
  override name = 'CancelledError';
  readonly code = 'VERDICT_CANCELLED';
  readonly statusCode = 499;
  readonly retryable = true;

  /**
   * The error for work `signal` stopped: its reason itself when that is a CancelledError (whoever
   * aborted said why), else one saying what `stopped` and why, as far as the reason tells.
   */
  static from(signal: AbortSignal, stopped: string): CancelledError {
    const reason: unknown = signal.reason;
    if (reason instanceof CancelledError) return reason;
    let why = 'the client disconnected or the deadline passed';
    if (typeof reason === 'string' && reason !== '') why = reason;
    else if (reason instanceof Error && reason.name === 'TimeoutError') why = 'the deadline passed';
    // A bare abort() carries a generic AbortError whose message says nothing the default does not.
    else if (reason instanceof Error && reason.name !== 'AbortError' && reason.message !== '') why = reason.message;
    return new CancelledError(`${stopped}: ${why}`, { cause: reason });
  }
}

export class ShuttingDownError extends VerdictError {
  override name = 'ShuttingDownError';
  readonly code = 'VERDICT_SHUTTING_DOWN';
  readonly statusCode = 503;
  readonly retryable = true;
  override readonly retryAfterSeconds = 1;
}

/** A request the service understood but cannot accept (400). */
export class BadRequestError extends VerdictError {
  override name = 'BadRequestError';
  readonly statusCode = 400;
  readonly retryable = false;
  constructor(
    readonly code: 'VERDICT_INVALID_REQUEST' | 'VERDICT_UNKNOWN_LANGUAGE' | 'VERDICT_LIMIT_TOO_HIGH',
    message: string,
    readonly details: unknown = undefined,
  ) {
    super(message);
  }
}
