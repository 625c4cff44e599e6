// Shared setup for the JavaScript client suites: the server under test (from run.sh's
// environment), admin calls with the AWS SDK for JavaScript v3 and the root key, codes read back
// from the signed GET /admin/outbox, and a few token helpers.
//
// run.sh runs these over https (`cognitod serve --tls-self-signed`), with
// NODE_EXTRA_CA_CERTS=<data dir>/ca.pem so that Node trusts the server's certificate.

import { randomUUID } from 'node:crypto';
import assert from 'node:assert/strict';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run these suites through tests/e2e/run.sh`);
  return value;
}

/** The server under test, without a trailing slash (https://127.0.0.1:<port>). */
export const ENDPOINT = required('COGNITOD_ENDPOINT').replace(/\/$/, '');
export const REGION = 'us-east-1';
const credentials = {
  accessKeyId: required('AWS_ACCESS_KEY_ID'),
  secretAccessKey: required('AWS_SECRET_ACCESS_KEY'),
};

// Both meet the default password policy (8+ characters, upper, lower, digit, symbol).
export const PASSWORD = 'Correct-Horse-7';
export const NEW_PASSWORD = 'Battery-Staple-9';
export const TEMPORARY_PASSWORD = 'Temp-Pass-4821';
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A cognito-idp client for admin calls, signed with the root key, that never retries. */
export const idp = new CognitoIdentityProviderClient({
  region: REGION,
  endpoint: ENDPOINT,
  credentials,
  maxAttempts: 1,
});

export function unique(prefix) {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** A pool that verifies email, so that SignUp and ForgotPassword send codes by email. */
export async function createPool() {
  const { UserPool } = await idp.send(
    new CreateUserPoolCommand({ PoolName: unique('e2e-node'), AutoVerifiedAttributes: ['email'] }),
  );
  return UserPool.Id;
}

export async function deletePool(poolId) {
  try {
    await idp.send(new DeleteUserPoolCommand({ UserPoolId: poolId }));
  } catch (err) {
    if (err.name !== 'ResourceNotFoundException') throw err;
  }
}

/** An app client (default flows: SRP, refresh, custom); returns { clientId, clientSecret }. */
export async function createClient(poolId, input = {}) {
  const { UserPoolClient } = await idp.send(
    new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: unique('app'), ...input }),
  );
  return { clientId: UserPoolClient.ClientId, clientSecret: UserPoolClient.ClientSecret };
}

/** An admin-created user with a permanent password (CONFIRMED, email verified). */
export async function createConfirmedUser(poolId, username, password = PASSWORD) {
  await idp.send(
    new AdminCreateUserCommand({
      UserPoolId: poolId,
      Username: username,
      UserAttributes: [
        { Name: 'email', Value: `${username}@example.com` },
        { Name: 'email_verified', Value: 'true' },
      ],
      MessageAction: 'SUPPRESS',
    }),
  );
  await idp.send(
    new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: password, Permanent: true }),
  );
}

/** An admin-created user holding a temporary password (FORCE_CHANGE_PASSWORD). */
export async function createInvitedUser(poolId, username, temporaryPassword = TEMPORARY_PASSWORD) {
  await idp.send(
    new AdminCreateUserCommand({
      UserPoolId: poolId,
      Username: username,
      TemporaryPassword: temporaryPassword,
      UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }],
      MessageAction: 'SUPPRESS',
    }),
  );
}

export async function userStatus(poolId, username) {
  const user = await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: username }));
  return user.UserStatus;
}

// ------------------------------------------------------------------ outbox

const signer = new SignatureV4({ service: 'cognito-idp', region: REGION, credentials, sha256: Sha256 });

/** The messages the pool sent to `username`, from the SigV4-signed GET /admin/outbox. */
export async function outbox(poolId, username) {
  const url = new URL(`${ENDPOINT}/admin/outbox`);
  const query = { poolId, username };
  const signed = await signer.sign({
    method: 'GET',
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    query,
    headers: { host: url.host },
  });
  url.search = new URLSearchParams(query).toString();
  const headers = { ...signed.headers };
  delete headers.host; // fetch sends the same Host itself
  const response = await fetch(url, { headers });
  const text = await response.text();
  assert.equal(response.status, 200, `GET /admin/outbox: ${text}`);
  return JSON.parse(text).messages;
}

/** The six-digit code of the newest message to `username`, once there are more than `after`. */
export async function latestCode(poolId, username, after = 0) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const messages = await outbox(poolId, username);
    if (messages.length > after) {
      const found = /(?<!\d)(\d{6})(?!\d)/.exec(messages[messages.length - 1].body);
      assert.ok(found, `no code in ${JSON.stringify(messages[messages.length - 1])}`);
      return found[1];
    }
    assert.ok(Date.now() < deadline, `no new message to ${username}: ${JSON.stringify(messages)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

// ------------------------------------------------------------------ tokens

/** Our tokens' iss: the public URL of the server, then the pool id. */
export function issuerOf(poolId) {
  return `${ENDPOINT}/${poolId}`;
}

/** The payload of a JWT, not verified. */
export function claims(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

/** Asserts that `promise` rejects with a service error of this name (and message, if given). */
export async function rejectsWith(promise, name, message) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.name, name, `${err.name}: ${err.message}`);
    if (message !== undefined) assert.equal(err.message, message);
    return true;
  });
}
