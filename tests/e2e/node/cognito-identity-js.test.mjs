// amazon-cognito-identity-js against the server, written to AWS Cognito's behaviour:
// signUp -> confirmRegistration (code from the outbox) -> authenticateUser (USER_SRP_AUTH) ->
// getUserAttributes -> refreshSession -> globalSignOut; wrong passwords; NEW_PASSWORD_REQUIRED;
// forgotPassword / confirmPassword.
//
// Pointed at the server with `new CognitoUserPool({ UserPoolId, ClientId, endpoint })`: the
// endpoint is the URL every request is POSTed to (default https://cognito-idp.<region>.amazonaws.com/).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserAttribute,
  CognitoUserPool,
} from 'amazon-cognito-identity-js';
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
  outbox,
  rejectsWith,
  userStatus,
} from './helpers.mjs';

let poolId;
let clientId;
let userPool;

before(async () => {
  poolId = await createPool();
  ({ clientId } = await createClient(poolId)); // public client, default flows (SRP, refresh, custom)
  userPool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: `${ENDPOINT}/` });
});

after(async () => {
  if (poolId) await deletePool(poolId);
});

// ------------------------------------------------------------------ promise wrappers

function signUp(username, password, email) {
  const attributes = [new CognitoUserAttribute({ Name: 'email', Value: email })];
  return new Promise((resolve, reject) =>
    // validationData null, as in the library's own examples: it is sent as "ValidationData": null.
    userPool.signUp(username, password, attributes, null, (err, result) => (err ? reject(err) : resolve(result))),
  );
}

function confirmRegistration(user, code) {
  return new Promise((resolve, reject) =>
    user.confirmRegistration(code, true, (err, result) => (err ? reject(err) : resolve(result))),
  );
}

/** Resolves { session } on success, { newPasswordRequired } for that challenge. */
function authenticate(user, password) {
  const details = new AuthenticationDetails({ Username: user.getUsername(), Password: password });
  return new Promise((resolve, reject) =>
    user.authenticateUser(details, {
      onSuccess: (session) => resolve({ session }),
      onFailure: reject,
      newPasswordRequired: (userAttributes, requiredAttributes) =>
        resolve({ newPasswordRequired: { userAttributes, requiredAttributes } }),
      mfaRequired: () => reject(new Error('unexpected SMS_MFA challenge')),
      totpRequired: () => reject(new Error('unexpected SOFTWARE_TOKEN_MFA challenge')),
      customChallenge: () => reject(new Error('unexpected CUSTOM_CHALLENGE')),
    }),
  );
}

function completeNewPassword(user, newPassword) {
  return new Promise((resolve, reject) =>
    user.completeNewPasswordChallenge(newPassword, {}, { onSuccess: resolve, onFailure: reject }),
  );
}

function getUserAttributes(user) {
  return new Promise((resolve, reject) =>
    user.getUserAttributes((err, attributes) =>
      err ? reject(err) : resolve(Object.fromEntries(attributes.map((a) => [a.getName(), a.getValue()]))),
    ),
  );
}

function refreshSession(user, refreshToken) {
  return new Promise((resolve, reject) =>
    user.refreshSession(refreshToken, (err, session) => (err ? reject(err) : resolve(session))),
  );
}

function globalSignOut(user) {
  return new Promise((resolve, reject) => user.globalSignOut({ onSuccess: resolve, onFailure: reject }));
}

function forgotPassword(user) {
  return new Promise((resolve, reject) =>
    user.forgotPassword({ onSuccess: resolve, onFailure: reject, inputVerificationCode: resolve }),
  );
}

function confirmPassword(user, code, newPassword) {
  return new Promise((resolve, reject) =>
    user.confirmPassword(code, newPassword, { onSuccess: resolve, onFailure: reject }),
  );
}

const newUser = (username) => new CognitoUser({ Username: username, Pool: userPool });

// ------------------------------------------------------------------ tests

test('signUp, confirmRegistration, SRP sign-in, attributes, refresh and global sign-out', async () => {
  const signedUp = await signUp('carla', PASSWORD, 'carla@example.com');
  assert.equal(signedUp.userConfirmed, false);
  assert.match(signedUp.userSub, UUID);
  assert.deepEqual(signedUp.codeDeliveryDetails, {
    Destination: 'c***@e***',
    DeliveryMedium: 'EMAIL',
    AttributeName: 'email',
  });
  const user = signedUp.user;
  assert.equal(await userStatus(poolId, 'carla'), 'UNCONFIRMED');

  // An unconfirmed user cannot sign in.
  await rejectsWith(authenticate(newUser('carla'), PASSWORD), 'UserNotConfirmedException', 'User is not confirmed.');

  assert.equal(await confirmRegistration(user, await latestCode(poolId, 'carla')), 'SUCCESS');
  assert.equal(await userStatus(poolId, 'carla'), 'CONFIRMED');

  const { session } = await authenticate(user, PASSWORD);
  assert.ok(session.isValid());
  const id = session.getIdToken().decodePayload();
  const access = session.getAccessToken().decodePayload();
  assert.equal(id.iss, issuerOf(poolId));
  assert.equal(id.aud, clientId);
  assert.equal(id.token_use, 'id');
  assert.equal(id['cognito:username'], 'carla');
  assert.equal(id.sub, signedUp.userSub);
  assert.equal(id.email, 'carla@example.com');
  assert.equal(id.email_verified, true);
  assert.equal(access.token_use, 'access');
  assert.equal(access.client_id, clientId);
  assert.equal(access.username, 'carla');
  assert.equal(access.scope, 'aws.cognito.signin.user.admin');
  assert.ok(session.getRefreshToken().getToken());
  // The library keeps the username from USER_ID_FOR_SRP, the internal username.
  assert.equal(user.getUsername(), 'carla');
  assert.equal(userPool.getCurrentUser()?.getUsername(), 'carla');

  assert.deepEqual(await getUserAttributes(user), {
    sub: signedUp.userSub,
    email: 'carla@example.com',
    email_verified: 'true',
  });

  const refreshed = await refreshSession(user, session.getRefreshToken());
  assert.ok(refreshed.isValid());
  assert.notEqual(refreshed.getAccessToken().getJwtToken(), session.getAccessToken().getJwtToken());
  // REFRESH_TOKEN_AUTH returns no refresh token; the library keeps the one it had.
  assert.equal(refreshed.getRefreshToken().getToken(), session.getRefreshToken().getToken());
  assert.equal(refreshed.getAccessToken().decodePayload().auth_time, access.auth_time);
  assert.equal((await getUserAttributes(user)).email, 'carla@example.com');

  assert.equal(await globalSignOut(user), 'SUCCESS');
  assert.equal(userPool.getCurrentUser(), null);
  for (const token of [session.getAccessToken().getJwtToken(), refreshed.getAccessToken().getJwtToken()]) {
    await rejectsWith(
      idp.send(new GetUserCommand({ AccessToken: token })),
      'NotAuthorizedException',
      'Access Token has been revoked',
    );
  }
  await rejectsWith(refreshSession(newUser('carla'), session.getRefreshToken()), 'NotAuthorizedException');

  // SRP signs in again.
  const again = await authenticate(newUser('carla'), PASSWORD);
  assert.ok(again.session.isValid());
});

test('a wrong password is refused', async () => {
  await createConfirmedUser(poolId, 'dora');
  await rejectsWith(
    authenticate(newUser('dora'), 'Wrong-Pass-123'),
    'NotAuthorizedException',
    'Incorrect username or password.',
  );
  const { session } = await authenticate(newUser('dora'), PASSWORD);
  assert.ok(session.isValid());
});

test('an admin-created user answers NEW_PASSWORD_REQUIRED', async () => {
  await createInvitedUser(poolId, 'enzo');
  const user = newUser('enzo');
  const { newPasswordRequired } = await authenticate(user, TEMPORARY_PASSWORD);
  assert.ok(newPasswordRequired, 'expected the NEW_PASSWORD_REQUIRED challenge');
  assert.equal(newPasswordRequired.userAttributes.email, 'enzo@example.com');
  assert.deepEqual(newPasswordRequired.requiredAttributes, []);

  const session = await completeNewPassword(user, NEW_PASSWORD);
  assert.ok(session.isValid());
  assert.equal(session.getIdToken().decodePayload()['cognito:username'], 'enzo');
  assert.equal(await userStatus(poolId, 'enzo'), 'CONFIRMED');

  await rejectsWith(
    authenticate(newUser('enzo'), TEMPORARY_PASSWORD),
    'NotAuthorizedException',
    'Incorrect username or password.',
  );
  assert.ok((await authenticate(newUser('enzo'), NEW_PASSWORD)).session.isValid());
});

test('forgotPassword and confirmPassword set a new password', async () => {
  await createConfirmedUser(poolId, 'filipa');
  const before = (await outbox(poolId, 'filipa')).length;
  const user = newUser('filipa');
  const sent = await forgotPassword(user);
  assert.deepEqual(sent.CodeDeliveryDetails, {
    Destination: 'f***@e***',
    DeliveryMedium: 'EMAIL',
    AttributeName: 'email',
  });
  const code = await latestCode(poolId, 'filipa', before);
  assert.equal(await confirmPassword(user, code, NEW_PASSWORD), 'SUCCESS');

  await rejectsWith(authenticate(newUser('filipa'), PASSWORD), 'NotAuthorizedException', 'Incorrect username or password.');
  assert.ok((await authenticate(newUser('filipa'), NEW_PASSWORD)).session.isValid());
});
