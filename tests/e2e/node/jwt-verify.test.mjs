// aws-jwt-verify against the server's tokens and JWKS, written to AWS Cognito's behaviour.
//
// CognitoJwtVerifier hard-codes the issuer https://cognito-idp.<region>.amazonaws.com/<poolId>
// and has no option to change it, so a resource server in front of cognitod uses the generic
// verifier with our issuer: JwtRsaVerifier (the v4 name, an alias of JwtVerifier in v5) with
// issuer `<endpoint>/<poolId>` and jwksUri `<issuer>/.well-known/jwks.json`, plus the Cognito
// claim checks (token_use, aud / client_id) through `customJwtCheck` and validateCognitoJwtFields.
// The Node build fetches the JWKS with https.request, so this suite needs the server on https.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { validateCognitoJwtFields } from 'aws-jwt-verify/cognito-verifier';
import {
  CognitoJwtInvalidClientIdError,
  CognitoJwtInvalidTokenUseError,
  JwtInvalidAudienceError,
  JwtInvalidIssuerError,
  JwtInvalidSignatureError,
  KidNotFoundInJwksError,
} from 'aws-jwt-verify/error';
import { GetTokensFromRefreshTokenCommand, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import {
  PASSWORD,
  claims,
  createClient,
  createConfirmedUser,
  createPool,
  deletePool,
  idp,
  issuerOf,
} from './helpers.mjs';

let poolId;
let clientId;
let otherClientId;
let issuer;
let jwksUri;
let tokens;
let otherTokens;

async function signIn(client) {
  const { AuthenticationResult } = await idp.send(
    new InitiateAuthCommand({
      ClientId: client,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'vera', PASSWORD },
    }),
  );
  return AuthenticationResult;
}

before(async () => {
  poolId = await createPool();
  const flows = { ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] };
  ({ clientId } = await createClient(poolId, flows));
  ({ clientId: otherClientId } = await createClient(poolId, flows));
  await createConfirmedUser(poolId, 'vera');
  issuer = issuerOf(poolId);
  jwksUri = `${issuer}/.well-known/jwks.json`;
  tokens = await signIn(clientId);
  otherTokens = await signIn(otherClientId);
});

after(async () => {
  if (poolId) await deletePool(poolId);
});

const idVerifier = () =>
  JwtRsaVerifier.create({
    issuer,
    audience: clientId,
    jwksUri,
    customJwtCheck: ({ payload }) => validateCognitoJwtFields(payload, { tokenUse: 'id', clientId }),
  });

// Access tokens carry no aud: audience null, and the client is checked through client_id.
const accessVerifier = () =>
  JwtRsaVerifier.create({
    issuer,
    audience: null,
    jwksUri,
    customJwtCheck: ({ payload }) => validateCognitoJwtFields(payload, { tokenUse: 'access', clientId }),
  });

test('the JWKS is served over https at <issuer>/.well-known/jwks.json', async () => {
  const response = await fetch(jwksUri);
  assert.equal(response.status, 200);
  const { keys } = await response.json();
  // The active ID and access keys, and the next pair published ahead of its turn.
  assert.equal(keys.length, 4);
  assert.equal(new Set(keys.map((key) => key.kid)).size, 4);
  for (const key of keys) {
    assert.equal(key.alg, 'RS256');
    assert.equal(key.kty, 'RSA');
    assert.equal(key.use, 'sig');
    assert.equal(key.e, 'AQAB');
    assert.ok(key.kid && key.n);
  }
});

test('the ID token verifies with audience = client id', async () => {
  const payload = await idVerifier().verify(tokens.IdToken);
  assert.equal(payload.iss, issuer);
  assert.equal(payload.aud, clientId);
  assert.equal(payload.token_use, 'id');
  assert.equal(payload['cognito:username'], 'vera');
  assert.equal(payload.email, 'vera@example.com');
});

test('the access token verifies with its client_id claim', async () => {
  const payload = await accessVerifier().verify(tokens.AccessToken);
  assert.equal(payload.iss, issuer);
  assert.equal(payload.client_id, clientId);
  assert.equal(payload.token_use, 'access');
  assert.equal(payload.username, 'vera');
  assert.equal(payload.scope, 'aws.cognito.signin.user.admin');
  assert.equal(payload.aud, undefined);
});

test('tokens from a refresh verify too', async () => {
  const refreshed = await idp.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken },
    }),
  );
  assert.equal((await accessVerifier().verify(refreshed.AuthenticationResult.AccessToken)).username, 'vera');
  assert.equal((await idVerifier().verify(refreshed.AuthenticationResult.IdToken)).aud, clientId);

  const got = await idp.send(new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: tokens.RefreshToken }));
  assert.equal((await accessVerifier().verify(got.AuthenticationResult.AccessToken)).client_id, clientId);
  assert.equal((await idVerifier().verify(got.AuthenticationResult.IdToken))['cognito:username'], 'vera');
});

test('a token of the wrong use or of another client is refused', async () => {
  await assert.rejects(accessVerifier().verify(tokens.IdToken), CognitoJwtInvalidTokenUseError);
  // An access token has no aud claim.
  await assert.rejects(idVerifier().verify(tokens.AccessToken), JwtInvalidAudienceError);
  await assert.rejects(idVerifier().verify(otherTokens.IdToken), JwtInvalidAudienceError);
  await assert.rejects(accessVerifier().verify(otherTokens.AccessToken), CognitoJwtInvalidClientIdError);
});

test('a tampered token is refused', async () => {
  const [header, payload, signature] = tokens.AccessToken.split('.');
  const forged = Buffer.from(JSON.stringify({ ...claims(tokens.AccessToken), username: 'mallory' })).toString('base64url');
  await assert.rejects(accessVerifier().verify(`${header}.${forged}.${signature}`), JwtInvalidSignatureError);
  const flipped = signature.slice(0, -2) + (signature.at(-2) === 'A' ? 'B' : 'A') + signature.at(-1);
  await assert.rejects(accessVerifier().verify(`${header}.${payload}.${flipped}`), JwtInvalidSignatureError);
});

test("another pool's issuer does not accept these tokens", async () => {
  const otherPool = await createPool();
  try {
    // jwksUri defaults to <issuer>/.well-known/jwks.json. Cognito pools have their own keys, so
    // the kid is not in the other pool's JWKS; with shared keys the iss check would refuse it.
    const verifier = JwtRsaVerifier.create({ issuer: issuerOf(otherPool), audience: clientId });
    await assert.rejects(
      verifier.verify(tokens.IdToken),
      (err) => err instanceof KidNotFoundInJwksError || err instanceof JwtInvalidIssuerError,
    );
  } finally {
    await deletePool(otherPool);
  }
});
