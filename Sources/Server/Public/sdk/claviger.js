/**
 * Claviger browser SDK.
 *
 * A small, dependency-free ES module that a bank embeds in its web pages to run passkey
 * (WebAuthn) ceremonies against a Claviger server:
 *
 * ```js
 * import { ClavigerClient, ClavigerError } from '/sdk/claviger.js';
 *
 * const claviger = new ClavigerClient();
 * try {
 *   await claviger.signIn({ username: 'ada' });
 *   const session = await claviger.session();
 * } catch (error) {
 *   if (error instanceof ClavigerError) console.log(error.code, error.title, error.detail);
 * }
 * ```
 *
 * The session lives in an HttpOnly cookie (`claviger_session`) that the server sets; this SDK
 * never reads, stores or forwards session tokens. All requests are sent with
 * `credentials: 'same-origin'`, so pages must be served from the Claviger origin (or a
 * reverse proxy that forwards `/v1/` to it).
 *
 * Every failure is thrown as a {@link ClavigerError}: server errors carry the RFC 9457
 * problem document's `code`, `title`, `detail` and `status`; browser-side WebAuthn failures
 * are mapped to client codes (`not_allowed`, `aborted`, `invalid_state`, `not_supported`,
 * `security_error`, `webauthn_error`) with `status` 0; network failures use
 * `network_error`.
 *
 * @module claviger
 */

/**
 * A failed Claviger operation.
 *
 * For server errors the fields come from the problem document
 * (`Content-Type: application/problem+json`). `code` is stable and meant for programs;
 * `title` and `detail` are meant for people.
 */
export class ClavigerError extends Error {
  /**
   * @param {object} init
   * @param {string} init.code Stable, machine-readable code (`authentication_failed`, `last_credential`, `not_allowed`, ...).
   * @param {number} [init.status=0] HTTP status, or 0 when the error happened in the browser.
   * @param {string} [init.title] Short human-readable summary.
   * @param {string} [init.detail] Human-readable explanation.
   * @param {object|null} [init.problem] The whole problem document, when the server sent one.
   * @param {unknown} [init.cause] The underlying error (a DOMException, a TypeError, ...).
   */
  constructor({ code, status = 0, title = '', detail = '', problem = null, cause } = {}) {
    super(detail || title || code || 'Unknown error', cause === undefined ? undefined : { cause });
    this.name = 'ClavigerError';
    /** @type {string} */
    this.code = code || 'unknown_error';
    /** @type {number} */
    this.status = status;
    /** @type {string} */
    this.title = title;
    /** @type {string} */
    this.detail = detail;
    /** @type {object|null} */
    this.problem = problem;
  }
}

/**
 * @typedef {object} Session
 * @property {string} userId
 * @property {string} username
 * @property {string} displayName
 * @property {string} credentialId The passkey this session was signed in with.
 * @property {number} tier Trust tier (1–4) of that passkey.
 * @property {string} createdAt RFC 3339.
 * @property {string} expiresAt RFC 3339; absolute end of the session.
 * @property {string} idleExpiresAt RFC 3339; the session ends then unless another request comes.
 * @property {number} idleTimeoutSeconds
 */

/**
 * @typedef {object} Passkey
 * @property {string} id Credential id, base64url.
 * @property {string} name The customer's name for it.
 * @property {number} tier Trust tier, 1 (attested hardware) to 4 (unverified).
 * @property {{rule: string, detail: string}[]} reasons Why it got that tier.
 * @property {string} authenticatorName Authenticator model or passkey provider.
 * @property {string} aaguid
 * @property {boolean} aaguidVerified Whether attestation proved the AAGUID.
 * @property {boolean} backupEligible BE flag: the key may be synced.
 * @property {boolean} backupState BS flag: the key is synced.
 * @property {string[]} transports
 * @property {string} status `active`, ...
 * @property {{format: string, type: string, trusted: boolean}} attestation
 * @property {string} createdAt RFC 3339.
 * @property {string|null} lastUsedAt RFC 3339, or null when never used.
 * @property {number} signCount
 */

const PROBLEM_TYPE = /^application\/problem\+json/i;

/**
 * Client for a Claviger server.
 */
export class ClavigerClient {
  /**
   * @param {object} [options]
   * @param {string} [options.baseURL=''] Prefix for API paths. Empty (the default) means
   *   the page's own origin.
   */
  constructor({ baseURL = '' } = {}) {
    /** @type {string} */
    this.baseURL = String(baseURL).replace(/\/+$/, '');
  }

  /**
   * Whether this browser can run WebAuthn ceremonies at all.
   * @returns {boolean}
   */
  static isSupported() {
    return typeof window !== 'undefined' && typeof window.PublicKeyCredential === 'function'
      && !!navigator.credentials;
  }

  /**
   * Whether the browser offers passkeys in username autofill (conditional mediation), so that
   * `signIn({mediation: 'conditional'})` is worth starting.
   * @returns {Promise<boolean>}
   */
  static async isConditionalMediationAvailable() {
    if (!ClavigerClient.isSupported()) return false;
    const check = window.PublicKeyCredential.isConditionalMediationAvailable;
    if (typeof check !== 'function') return false;
    try {
      return !!(await check.call(window.PublicKeyCredential));
    } catch {
      return false;
    }
  }

  /**
   * Opens an account: registers its first passkey and signs the new customer in (the server
   * sets the session cookie).
   *
   * @param {object} init
   * @param {string} init.username
   * @param {string} init.displayName
   * @param {AbortSignal} [init.signal]
   * @returns {Promise<object>} The registration result: `{userId, credentialId, tier, reasons,
   *   decision, aaguid, authenticatorName, aaguidVerified, backupEligible, backupState,
   *   attestation, session}`.
   * @throws {ClavigerError} e.g. `username_taken`, `invalid_username`, `registration_refused`, `not_allowed`.
   */
  async signUp({ username, displayName, signal } = {}) {
    return this.#register({ username, displayName }, signal);
  }

  /**
   * Adds a passkey to the signed-in customer's account.
   *
   * @param {object} [init]
   * @param {AbortSignal} [init.signal]
   * @returns {Promise<object>} The registration result (as for {@link ClavigerClient#signUp}, without `session`).
   * @throws {ClavigerError} e.g. `session_required`, `registration_refused`, `invalid_state` (this authenticator already holds a passkey for the account).
   */
  async addPasskey({ signal } = {}) {
    return this.#register({}, signal);
  }

  /**
   * Signs in with a passkey.
   *
   * - With `username`: the browser offers that customer's passkeys.
   * - Without: the customer picks any discoverable passkey for this site (usernameless).
   * - With `mediation: 'conditional'`: the request waits quietly until the customer picks a
   *   passkey from the autofill list of an `<input autocomplete="username webauthn">`.
   *   Pass a `signal` and abort it before starting any other ceremony.
   *
   * @param {object} [init]
   * @param {string} [init.username]
   * @param {'conditional'|'optional'|'required'|'silent'} [init.mediation]
   * @param {AbortSignal} [init.signal]
   * @returns {Promise<object>} `{userId, credentialId, tier, session: {token, expiresAt, idleTimeoutSeconds}}`.
   * @throws {ClavigerError} `authentication_failed` (deliberately unspecific), `sign_in_locked`, `not_allowed`, `aborted`, ...
   */
  async signIn({ username, mediation, signal } = {}) {
    const body = {};
    if (username !== undefined && username !== null && username !== '' && mediation !== 'conditional') {
      body.username = username;
    }
    const { ceremonyId, publicKey } = await this.#request('POST', '/v1/authentication/options', body, signal);
    const request = { publicKey: toRequestOptions(publicKey) };
    if (mediation) request.mediation = mediation;
    if (signal) request.signal = signal;
    const credential = await callWebAuthn(() => navigator.credentials.get(request));
    if (!credential) {
      throw new ClavigerError({ code: 'not_allowed', title: 'No passkey was chosen' });
    }
    return this.#request('POST', '/v1/authentication/verify',
      { ceremonyId, credential: serializeCredential(credential) }, signal);
  }

  /**
   * The current session, or `null` when nobody is signed in.
   * @returns {Promise<Session|null>}
   */
  async session() {
    try {
      return await this.#request('GET', '/v1/session');
    } catch (error) {
      if (error instanceof ClavigerError && error.status === 401) return null;
      throw error;
    }
  }

  /**
   * Ends the session (the server clears the cookie).
   * @returns {Promise<void>}
   */
  async signOut() {
    await this.#request('POST', '/v1/session/logout');
  }

  /**
   * The signed-in customer's passkeys.
   * @returns {Promise<Passkey[]>}
   */
  async listPasskeys() {
    const answer = await this.#request('GET', '/v1/credentials');
    return (answer && answer.credentials) || [];
  }

  /**
   * Renames one of the customer's passkeys.
   * @param {string} id Credential id (base64url).
   * @param {string} name 1–64 characters.
   * @returns {Promise<Passkey>}
   * @throws {ClavigerError} `invalid_name`, `credential_not_found`, ...
   */
  async renamePasskey(id, name) {
    return this.#request('PATCH', `/v1/credentials/${encodeURIComponent(id)}`, { name });
  }

  /**
   * Removes one of the customer's passkeys. The server refuses to remove the last one
   * (`last_credential`, status 409): an account always keeps a way to sign in.
   * @param {string} id Credential id (base64url).
   * @returns {Promise<void>}
   */
  async removePasskey(id) {
    await this.#request('DELETE', `/v1/credentials/${encodeURIComponent(id)}`);
  }

  async #register(body, signal) {
    const { ceremonyId, publicKey } = await this.#request('POST', '/v1/registration/options', body, signal);
    const request = { publicKey: toCreationOptions(publicKey) };
    if (signal) request.signal = signal;
    const credential = await callWebAuthn(() => navigator.credentials.create(request));
    if (!credential) {
      throw new ClavigerError({ code: 'not_allowed', title: 'No passkey was created' });
    }
    return this.#request('POST', '/v1/registration/verify',
      { ceremonyId, credential: serializeCredential(credential) }, signal);
  }

  async #request(method, path, body, signal) {
    const init = {
      method,
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { Accept: 'application/json, application/problem+json' },
    };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    if (signal) init.signal = signal;
    let response;
    try {
      response = await fetch(this.baseURL + path, init);
    } catch (error) {
      if (error && error.name === 'AbortError') {
        throw new ClavigerError({ code: 'aborted', title: 'Cancelled', cause: error });
      }
      throw new ClavigerError({
        code: 'network_error',
        title: 'Connection problem',
        detail: 'We could not reach the server. Check your connection and try again.',
        cause: error,
      });
    }
    if (response.status === 204) return null;
    const type = response.headers.get('Content-Type') || '';
    let payload = null;
    const text = await response.text();
    if (text) {
      try {
        payload = JSON.parse(text);
      } catch {
        payload = null;
      }
    }
    if (response.ok) return payload;
    const problem = payload && typeof payload === 'object' && (PROBLEM_TYPE.test(type) || payload.code)
      ? payload : null;
    throw new ClavigerError({
      code: (problem && problem.code) || `http_${response.status}`,
      status: (problem && Number(problem.status)) || response.status,
      title: (problem && problem.title) || response.statusText || 'Request failed',
      detail: (problem && problem.detail) || '',
      problem,
    });
  }
}

/* ------------------------------------------------------------------------------------------ */
/* WebAuthn JSON <-> browser objects                                                           */
/* ------------------------------------------------------------------------------------------ */

const DOM_ERROR_CODES = {
  NotAllowedError: ['not_allowed', 'The passkey request was cancelled or timed out.'],
  AbortError: ['aborted', 'The passkey request was cancelled.'],
  InvalidStateError: ['invalid_state', 'This authenticator already holds a passkey for this account.'],
  NotSupportedError: ['not_supported', 'This browser or authenticator does not support the requested passkey.'],
  SecurityError: ['security_error', 'This page is not allowed to use passkeys for this site.'],
};

async function callWebAuthn(run) {
  if (!ClavigerClient.isSupported()) {
    throw new ClavigerError({
      code: 'not_supported',
      title: 'Passkeys are not available',
      detail: 'This browser does not support passkeys.',
    });
  }
  try {
    return await run();
  } catch (error) {
    if (error instanceof ClavigerError) throw error;
    const [code, detail] = DOM_ERROR_CODES[error && error.name] || ['webauthn_error', 'The passkey request failed.'];
    throw new ClavigerError({ code, title: 'Passkey request failed', detail, cause: error });
  }
}

/** Removes `null` members (WebIDL dictionaries reject null where a string is expected). */
function dropNulls(value) {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (value && typeof value === 'object') {
    const out = {};
    for (const [key, member] of Object.entries(value)) {
      if (member !== null && member !== undefined) out[key] = dropNulls(member);
    }
    return out;
  }
  return value;
}

/**
 * PublicKeyCredentialCreationOptionsJSON → PublicKeyCredentialCreationOptions.
 * @param {object} json
 * @returns {PublicKeyCredentialCreationOptions}
 */
export function toCreationOptions(json) {
  const clean = dropNulls(json);
  const PKC = globalThis.PublicKeyCredential;
  if (PKC && typeof PKC.parseCreationOptionsFromJSON === 'function') {
    return PKC.parseCreationOptionsFromJSON(clean);
  }
  const options = { ...clean, challenge: fromBase64url(clean.challenge) };
  options.user = { ...clean.user, id: fromBase64url(clean.user.id) };
  if (clean.excludeCredentials) options.excludeCredentials = clean.excludeCredentials.map(descriptorFromJSON);
  if (clean.extensions) options.extensions = extensionsFromJSON(clean.extensions);
  return options;
}

/**
 * PublicKeyCredentialRequestOptionsJSON → PublicKeyCredentialRequestOptions.
 * @param {object} json
 * @returns {PublicKeyCredentialRequestOptions}
 */
export function toRequestOptions(json) {
  const clean = dropNulls(json);
  const PKC = globalThis.PublicKeyCredential;
  if (PKC && typeof PKC.parseRequestOptionsFromJSON === 'function') {
    return PKC.parseRequestOptionsFromJSON(clean);
  }
  const options = { ...clean, challenge: fromBase64url(clean.challenge) };
  if (clean.allowCredentials) options.allowCredentials = clean.allowCredentials.map(descriptorFromJSON);
  if (clean.extensions) options.extensions = extensionsFromJSON(clean.extensions);
  return options;
}

function descriptorFromJSON(descriptor) {
  return { ...descriptor, id: fromBase64url(descriptor.id) };
}

function extensionsFromJSON(extensions) {
  const out = { ...extensions };
  const prf = extensions.prf;
  if (prf) {
    const values = (v) => v && { first: fromBase64url(v.first), ...(v.second ? { second: fromBase64url(v.second) } : {}) };
    out.prf = { ...prf };
    if (prf.eval) out.prf.eval = values(prf.eval);
    if (prf.evalByCredential) {
      out.prf.evalByCredential = Object.fromEntries(
        Object.entries(prf.evalByCredential).map(([id, v]) => [id, values(v)]));
    }
  }
  if (extensions.largeBlob && extensions.largeBlob.write) {
    out.largeBlob = { ...extensions.largeBlob, write: fromBase64url(extensions.largeBlob.write) };
  }
  return out;
}

/**
 * PublicKeyCredential → RegistrationResponseJSON / AuthenticationResponseJSON.
 * Uses the browser's `toJSON()` when it has one.
 * @param {PublicKeyCredential} credential
 * @returns {object}
 */
export function serializeCredential(credential) {
  if (typeof credential.toJSON === 'function') {
    try {
      return credential.toJSON();
    } catch {
      // fall through to the manual serialization
    }
  }
  const response = credential.response;
  const json = {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment || undefined,
    clientExtensionResults: encodeBuffers(
      typeof credential.getClientExtensionResults === 'function' ? credential.getClientExtensionResults() : {}),
    response: { clientDataJSON: toBase64url(response.clientDataJSON) },
  };
  if (response.attestationObject) {
    json.response.attestationObject = toBase64url(response.attestationObject);
    json.response.transports = typeof response.getTransports === 'function' ? response.getTransports() : [];
    if (typeof response.getAuthenticatorData === 'function') {
      json.response.authenticatorData = toBase64url(response.getAuthenticatorData());
    }
    if (typeof response.getPublicKey === 'function') {
      const key = response.getPublicKey();
      if (key) json.response.publicKey = toBase64url(key);
    }
    if (typeof response.getPublicKeyAlgorithm === 'function') {
      json.response.publicKeyAlgorithm = response.getPublicKeyAlgorithm();
    }
  } else {
    json.response.authenticatorData = toBase64url(response.authenticatorData);
    json.response.signature = toBase64url(response.signature);
    if (response.userHandle && response.userHandle.byteLength > 0) {
      json.response.userHandle = toBase64url(response.userHandle);
    }
  }
  return JSON.parse(JSON.stringify(json));
}

function encodeBuffers(value) {
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return toBase64url(value);
  if (Array.isArray(value)) return value.map(encodeBuffers);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeBuffers(v)]));
  }
  return value;
}

/**
 * Bytes → base64url without padding.
 * @param {ArrayBuffer|ArrayBufferView} data
 * @returns {string}
 */
export function toBase64url(data) {
  const bytes = data instanceof ArrayBuffer
    ? new Uint8Array(data)
    : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * base64url (padding optional) → ArrayBuffer.
 * @param {string} text
 * @returns {ArrayBuffer}
 */
export function fromBase64url(text) {
  const base64 = String(text).replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}
