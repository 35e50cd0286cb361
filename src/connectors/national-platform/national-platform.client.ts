import type { ConnectorCallContext, ConnectorHealth } from "../connector.types";
import { type ConnectorClientOptions, ResilientHttpClient } from "../http/resilient-http.client";
import { type AckFlag, NATIONAL_PLATFORM, toAck, toPersonCheck, toTransferResult } from "./national-platform.mapper";
import type {
  NationalAccountRef,
  NationalLoanRef,
  NationalPersonCheck,
  NationalPlatformPort,
  NationalTransfer,
  NationalTransferResult,
} from "./national-platform.port";

/** HTTP client of the national platform. Every call is idempotent per the contract (reads; writes keyed
 *  on idNumber + centerCode + account/loan number; transfers keyed on contactLetterNo), so all retry. */
export class NationalPlatformClient implements NationalPlatformPort {
  private readonly http: ResilientHttpClient;

  constructor(options: ConnectorClientOptions) {
    this.http = new ResilientHttpClient({ ...options, name: NATIONAL_PLATFORM });
  }

  checkPerson(idNumber: string, ctx?: ConnectorCallContext): Promise<NationalPersonCheck> {
    return this.post("/v1/persons/check", { idNumber }, ctx, (raw) => toPersonCheck(raw, idNumber));
  }

  registerAccount(account: NationalAccountRef, ctx?: ConnectorCallContext): Promise<void> {
    return this.write("/v1/accounts/register", accountBody(account), "registered", ctx);
  }

  deregisterAccount(account: NationalAccountRef, ctx?: ConnectorCallContext): Promise<void> {
    return this.write("/v1/accounts/deregister", accountBody(account), "deregistered", ctx);
  }

  registerLoan(loan: NationalLoanRef, ctx?: ConnectorCallContext): Promise<void> {
    return this.write("/v1/loans/register", loanBody(loan), "registered", ctx);
  }

  settleLoan(loan: NationalLoanRef, ctx?: ConnectorCallContext): Promise<void> {
    return this.write("/v1/loans/settle", loanBody(loan), "settled", ctx);
  }

  sendTransfer(transfer: NationalTransfer, ctx?: ConnectorCallContext): Promise<NationalTransferResult> {
    return this.post("/v1/transfers", transfer, ctx, toTransferResult);
  }

  health(): ConnectorHealth {
    return this.http.breakerState();
  }

  private write(path: string, body: object, flag: AckFlag, ctx: ConnectorCallContext | undefined): Promise<void> {
    return this.post(path, body, ctx, (raw) => toAck(raw, flag));
  }

  private post<T>(path: string, body: object, ctx: ConnectorCallContext | undefined, parse: (raw: unknown) => T) {
    return this.http.request({ method: "POST", path, body, idempotent: true, requestId: ctx?.requestId, parse });
  }
}

/** Only the contract's fields go out, whatever else the caller's object carries. */
function accountBody(a: NationalAccountRef) {
  return { idNumber: a.idNumber, centerCode: a.centerCode, accountNumber: a.accountNumber, kind: a.kind };
}

function loanBody(l: NationalLoanRef) {
  return { idNumber: l.idNumber, centerCode: l.centerCode, loanNumber: l.loanNumber };
}
