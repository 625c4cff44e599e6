// Amplify v6 (aws-amplify/auth) against the server, written to AWS Cognito's behaviour:
// signUp / confirmSignUp with the code from the outbox, signIn (USER_SRP_AUTH by default),
// fetchAuthSession, fetchUserAttributes, fetchAuthSession({ forceRefresh: true }) (which calls
// GetTokensFromRefreshToken), signOut (RevokeToken) and signOut({ global: true }) (GlobalSignOut),
// and the NEW_PASSWORD_REQUIRED step.
//
// Pointed at the server with Auth.Cognito.userPoolEndpoint (used verbatim for every user-pool
// call; the region still comes from the pool id). In Node, Amplify keeps its tokens in its
// in-memory fallback storage (there is no window.localStorage) and uses globalThis.crypto and
// fetch, which Node 20 has: nothing else to set up.

import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Amplify } from 'aws-amplify';
import {
  confirmSignIn,
  confirmSignUp,
  fetchAuthSession,
  fetchUserAttributes,
  getCurrentUser,
  signIn,
  signOut,
  signUp,
} from 'aws-amplify/auth';
import { GetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import {
  ENDPOINT,
  NEW_PASSWORD,
  PASSWORD,
  TEMPORARY_PASSWORD,
  UUID,
  createClient,
  createConfirmedUser,
  createInvitedUser,
  createPool,
  deletePool,
  idp,
  issuerOf,
  latestCode,
  rejectsWith,
  userStatus,
} from './helpers.mjs';

let poolId;
let clientId;

before(async () => {
  poolId = await createPool();
  ({ clientId } = await createClient(poolId)); // public client, default flows (SRP, refresh, custom)
  Amplify.configure({
    Auth: { Cognito: { userPoolId: poolId, userPoolClientId: clientId, userPoolEndpoint: ENDPOINT } },
  });
});

afterEach(async () => {
  await signOut(); // local sign-out; never throws
});

after(async () => {
  if (poolId) await deletePool(poolId);
});

const getUser = (accessToken) => idp.send(new GetUserCommand({ AccessToken: accessToken }));

async function assertRevoked(accessToken) {
  await rejectsWith(getUser(accessToken), 'NotAuthorizedException', 'Access Token has been revoked');
}

test('signUp, confirmSignUp, signIn (SRP), session, attributes, forced refresh and signOut', async () => {
  const signedUp = await signUp({
    username: 'gabi',
    password: PASSWORD,
    options: { userAttributes: { email: 'gabi@example.com' } },
  });
  assert.equal(signedUp.isSignUpComplete, false);
  assert.equal(signedUp.nextStep.signUpStep, 'CONFIRM_SIGN_UP');
  assert.deepEqual(signedUp.nextStep.codeDeliveryDetails, {
    destination: 'g***@e***',
    deliveryMedium: 'EMAIL',
    attributeName: 'email',
  });
  assert.match(signedUp.userId, UUID);

  // Signing in before confirming leads to the confirmation step (UserNotConfirmedException).
  const early = await signIn({ username: 'gabi', password: PASSWORD });
  assert.deepEqual(early, { isSignedIn: false, nextStep: { signInStep: 'CONFIRM_SIGN_UP' } });

  const confirmed = await confirmSignUp({ username: 'gabi', confirmationCode: await latestCode(poolId, 'gabi') });
  assert.equal(confirmed.isSignUpComplete, true);
  assert.equal(confirmed.nextStep.signUpStep, 'DONE');
  assert.equal(await userStatus(poolId, 'gabi'), 'CONFIRMED');

  const signedIn = await signIn({ username: 'gabi', password: PASSWORD });
  assert.deepEqual(signedIn, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });

  const current = await getCurrentUser();
  assert.equal(current.username, 'gabi');
  assert.equal(current.userId, signedUp.userId);

  const session = await fetchAuthSession();
  assert.ok(session.tokens, 'fetchAuthSession has no tokens after signIn');
  const { accessToken, idToken } = session.tokens;
  assert.equal(accessToken.payload.iss, issuerOf(poolId));
  assert.equal(accessToken.payload.client_id, clientId);
  assert.equal(accessToken.payload.username, 'gabi');
  assert.equal(accessToken.payload.token_use, 'access');
  assert.ok(accessToken.payload.origin_jti, 'token revocation is on for new clients');
  assert.equal(idToken.payload.aud, clientId);
  assert.equal(idToken.payload.email, 'gabi@example.com');
  assert.equal(session.userSub, signedUp.userId);

  const attributes = await fetchUserAttributes(); // GetUser
  assert.deepEqual(attributes, { sub: signedUp.userId, email: 'gabi@example.com', email_verified: 'true' });

  // A forced refresh goes through GetTokensFromRefreshToken and gives new tokens.
  const refreshed = await fetchAuthSession({ forceRefresh: true });
  assert.ok(refreshed.tokens, 'no tokens after a forced refresh');
  assert.notEqual(refreshed.tokens.accessToken.toString(), accessToken.toString());
  assert.notEqual(refreshed.tokens.idToken.toString(), idToken.toString());
  assert.equal(refreshed.tokens.accessToken.payload.username, 'gabi');
  assert.equal(refreshed.tokens.accessToken.payload.auth_time, accessToken.payload.auth_time);
  assert.equal((await getUser(refreshed.tokens.accessToken.toString())).Username, 'gabi');
  // Without forceRefresh the stored, still valid tokens come back.
  assert.equal((await fetchAuthSession()).tokens.accessToken.toString(), refreshed.tokens.accessToken.toString());

  // signOut() revokes the refresh token (RevokeToken, because the tokens carry origin_jti), which
  // revokes the access tokens issued from it, and forgets the tokens.
  await signOut();
  assert.equal((await fetchAuthSession()).tokens, undefined);
  await assertRevoked(accessToken.toString());
  await assertRevoked(refreshed.tokens.accessToken.toString());
});

test('signOut({ global: true }) signs the user out everywhere', async () => {
  await createConfirmedUser(poolId, 'hugo');
  assert.equal((await signIn({ username: 'hugo', password: PASSWORD })).isSignedIn, true);
  const { accessToken } = (await fetchAuthSession()).tokens;
  assert.equal((await getUser(accessToken.toString())).Username, 'hugo');

  await signOut({ global: true });
  assert.equal((await fetchAuthSession()).tokens, undefined);
  await assertRevoked(accessToken.toString());

  // Signing in again works.
  assert.equal((await signIn({ username: 'hugo', password: PASSWORD })).isSignedIn, true);
  assert.equal((await getCurrentUser()).username, 'hugo');
});

test('a wrong password is refused', async () => {
  await createConfirmedUser(poolId, 'ines');
  await rejectsWith(
    signIn({ username: 'ines', password: 'Wrong-Pass-123' }),
    'NotAuthorizedException',
    'Incorrect username or password.',
  );
  assert.equal((await fetchAuthSession()).tokens, undefined);
  assert.equal((await signIn({ username: 'ines', password: PASSWORD })).isSignedIn, true);
});

test('an admin-created user sets a new password at the first sign-in', async () => {
  await createInvitedUser(poolId, 'joao');
  const first = await signIn({ username: 'joao', password: TEMPORARY_PASSWORD });
  assert.equal(first.isSignedIn, false);
  assert.equal(first.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED');
  assert.deepEqual(first.nextStep.missingAttributes ?? [], []);

  const done = await confirmSignIn({ challengeResponse: NEW_PASSWORD });
  assert.deepEqual(done, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  assert.equal((await fetchAuthSession()).tokens.idToken.payload['cognito:username'], 'joao');
  assert.equal(await userStatus(poolId, 'joao'), 'CONFIRMED');

  await signOut();
  assert.equal((await signIn({ username: 'joao', password: NEW_PASSWORD })).isSignedIn, true);
});
