/**
 * STS as far as squall's own preflight needs it: `GetCallerIdentity` (AWS Query protocol, XML
 * answer), so an `aws`-kind target pointed at a running `squall emulator` passes the same
 * preflight as a real account. The identity is the emulated account's root. Any other STS action
 * answers AWS's `InvalidAction`.
 */
import type { EmuRequest, EmuResponse, EmulatorContext, EmulatorService } from '../http.ts';
import type { SigV4Failure } from '../sigv4.ts';

const XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';

const AUTH_CODES: Record<SigV4Failure['kind'], string> = {
  missing: 'MissingAuthenticationToken',
  malformed: 'IncompleteSignature',
  'unknown-access-key': 'InvalidClientTokenId',
  'signature-mismatch': 'SignatureDoesNotMatch',
};

function isSts(req: EmuRequest): boolean {
  if (req.method !== 'POST') return false;
  const auth = req.headers.authorization ?? '';
  if (auth.includes('/sts/aws4_request')) return true;
  // Unsigned (the emulator without credentials): the action names itself.
  return !auth && req.body.length < 4096 && /(^|&)Action=GetCallerIdentity(&|$)/.test(req.body.toString('latin1'));
}

function xml(status: number, body: string, rid: string): EmuResponse {
  return { status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': rid }, body };
}

function error(status: number, code: string, message: string, rid: string): EmuResponse {
  return xml(status, `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${rid}</RequestId></ErrorResponse>`, rid);
}

export function stsService(ctx: EmulatorContext): EmulatorService {
  return {
    name: 'sts',
    maxBodyBytes: 64 * 1024,
    match: isSts,
    handle(req) {
      const action = new URLSearchParams(req.body.toString('utf8')).get('Action');
      if (action !== 'GetCallerIdentity') return error(400, 'InvalidAction', `Could not find operation ${action ?? ''} for version 2011-06-15`, req.requestId);
      const account = ctx.accountId;
      return xml(
        200,
        `<GetCallerIdentityResponse xmlns="${XMLNS}"><GetCallerIdentityResult><Arn>arn:aws:iam::${account}:root</Arn><UserId>${account}</UserId><Account>${account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>${req.requestId}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
        req.requestId,
      );
    },
    authFailure(req, failure: SigV4Failure) {
      return error(403, AUTH_CODES[failure.kind], failure.message, req.requestId);
    },
  };
}
