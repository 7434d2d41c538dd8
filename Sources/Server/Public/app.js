// Claviger Bank demo: online banking secured by passkeys, built on the Claviger browser SDK.
import { ClavigerClient, ClavigerError } from '/sdk/claviger.js';

const client = new ClavigerClient();

const $ = (id) => document.getElementById(id);

const views = {
  loading: $('view-loading'),
  signedOut: $('view-signed-out'),
  signedIn: $('view-signed-in'),
};

const TIER_LABELS = {
  1: 'Tier 1 · Attested hardware key',
  2: 'Tier 2 · Platform passkey',
  3: 'Tier 3 · Password manager',
  4: 'Tier 4 · Unverified',
};

const SIGN_IN_FAILED = {
  title: 'We couldn’t sign you in',
  detail: 'Your passkey could not be used to sign in. Please try again, or use another passkey.',
};

const state = {
  session: null,
  conditional: null, // {controller, done} while a conditional (autofill) request is pending
  busy: false,
  idleTimer: 0,
};

/* ---------------------------------------------------------------------------------------- */
/* Messages                                                                                  */
/* ---------------------------------------------------------------------------------------- */

/** Server details are sometimes terse ("this is …; add …"): show them as a sentence. */
function sentence(text) {
  const trimmed = String(text || '').trim();
  if (!trimmed) return '';
  const capitalized = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?…)]$/.test(capitalized) ? capitalized : `${capitalized}.`;
}

function showError(title, detail) {
  hideNotice();
  $('alert-title').textContent = title;
  $('alert-detail').textContent = sentence(detail);
  $('alert-detail').hidden = !detail;
  $('alert').hidden = false;
  $('alert').scrollIntoView({ block: 'nearest' });
}

function hideError() {
  $('alert').hidden = true;
  $('alert-title').textContent = '';
  $('alert-detail').textContent = '';
}

function showNotice(text) {
  $('notice').textContent = text;
  $('notice').hidden = false;
  $('notice').scrollIntoView({ block: 'nearest' });
}

function hideNotice() {
  $('notice').hidden = true;
  $('notice').textContent = '';
}

/** Shows a problem document (or a browser-side failure) to the customer. */
function showProblem(error, fallbackTitle = 'Something went wrong') {
  if (error instanceof ClavigerError) {
    if (error.code === 'not_allowed' || error.code === 'aborted') {
      showError('The passkey request was cancelled', 'No changes were made. You can try again whenever you are ready.');
      return;
    }
    let detail = error.detail;
    if (error.code === 'registration_refused' && error.problem && error.problem.tier) {
      const label = TIER_LABELS[error.problem.tier] || `Tier ${error.problem.tier}`;
      detail = `${detail ? `${detail} ` : ''}(This passkey was classified as ${label}.)`;
    }
    showError(error.title || fallbackTitle, detail);
    return;
  }
  console.error(error);
  showError(fallbackTitle, 'Please try again in a moment.');
}

/** Sign-in failures never say which element failed: one message for all of them. */
function showSignInProblem(error) {
  if (error instanceof ClavigerError) {
    if (error.code === 'sign_in_locked' || error.code === 'network_error') {
      showError(error.title || SIGN_IN_FAILED.title, error.detail);
      return;
    }
    if (error.code === 'not_allowed' || error.code === 'aborted') {
      showError('Sign-in was cancelled', 'No passkey was used. You can try again whenever you are ready.');
      return;
    }
  } else {
    console.error(error);
  }
  showError(SIGN_IN_FAILED.title, SIGN_IN_FAILED.detail);
}

/* ---------------------------------------------------------------------------------------- */
/* Views                                                                                     */
/* ---------------------------------------------------------------------------------------- */

function showView(name) {
  for (const [key, element] of Object.entries(views)) element.hidden = key !== name;
  document.body.dataset.view = name;
}

function setBusy(busy) {
  state.busy = busy;
  for (const button of document.querySelectorAll('button')) {
    if (button.id !== 'alert-close') button.disabled = busy;
  }
  document.body.classList.toggle('is-busy', busy);
}

async function run(task) {
  if (state.busy) return;
  setBusy(true);
  try {
    await task();
  } finally {
    setBusy(false);
  }
}

function formatDate(value, missing = 'Never') {
  if (!value) return missing;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

function formatDuration(seconds) {
  const s = Math.max(0, Math.round(Number(seconds) || 0));
  if (s >= 60 && s % 60 === 0) {
    const minutes = s / 60;
    return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  }
  if (s >= 60) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${s} second${s === 1 ? '' : 's'}`;
}

function greetingFor(date = new Date()) {
  const hour = date.getHours();
  if (hour < 12) return 'Good morning';
  if (hour < 18) return 'Good afternoon';
  return 'Good evening';
}

function backupLabel(passkey) {
  if (passkey.backupState) return { text: 'Synced', kind: 'synced' };
  if (!passkey.backupEligible) return { text: 'Device-bound', kind: 'device-bound' };
  return { text: 'Can sync', kind: 'can-sync' };
}

async function showSignedIn(session) {
  state.session = session;
  cancelConditional();
  const name = session.displayName || session.username;
  $('greeting').textContent = `${greetingFor()}, ${name}`;
  $('header-user-name').textContent = name;
  $('header-user').hidden = false;
  $('header-tag').hidden = true;
  $('session-info').textContent =
    `Signed in as ${session.username}. For your security you will be signed out after `
    + `${formatDuration(session.idleTimeoutSeconds)} of inactivity.`;
  $('session-info').dataset.idleTimeoutSeconds = String(session.idleTimeoutSeconds);
  showView('signedIn');
  armIdleCheck();
  await refreshPasskeys();
}

function showSignedOut() {
  state.session = null;
  clearTimeout(state.idleTimer);
  $('header-user').hidden = true;
  $('header-tag').hidden = false;
  $('passkey-list').replaceChildren();
  showView('signedOut');
}

/** After the idle timeout passes without a request, check whether the session ended. */
function armIdleCheck() {
  clearTimeout(state.idleTimer);
  if (!state.session) return;
  const seconds = Number(state.session.idleTimeoutSeconds) || 300;
  state.idleTimer = setTimeout(async () => {
    if (!state.session || state.busy) return;
    const session = await client.session().catch(() => undefined);
    if (session === null) {
      showSignedOut();
      showNotice(`You were signed out after ${formatDuration(seconds)} of inactivity.`);
    } else if (session) {
      state.session = session;
      armIdleCheck();
    }
  }, seconds * 1000 + 1500);
}

/** Any failure with 401 session_required means the session ended: go back to sign-in. */
function handleSessionLoss(error) {
  if (error instanceof ClavigerError && error.code === 'session_required') {
    showSignedOut();
    showError(error.title || 'Your session has ended', 'Please sign in again to continue.');
    return true;
  }
  return false;
}

/* ---------------------------------------------------------------------------------------- */
/* Passkeys                                                                                  */
/* ---------------------------------------------------------------------------------------- */

async function refreshPasskeys() {
  let passkeys;
  try {
    passkeys = await client.listPasskeys();
  } catch (error) {
    if (!handleSessionLoss(error)) showProblem(error, 'We couldn’t load your passkeys');
    return;
  }
  armIdleCheck();
  renderPasskeys(passkeys);
}

function renderPasskeys(passkeys) {
  const list = $('passkey-list');
  const template = $('passkey-template');
  const items = passkeys.map((passkey, index) => {
    const item = template.content.firstElementChild.cloneNode(true);
    item.dataset.credentialId = passkey.id;
    item.dataset.tier = String(passkey.tier);
    const q = (testid) => item.querySelector(`[data-testid="${testid}"]`);

    q('passkey-name').textContent = passkey.name || passkey.authenticatorName || 'Passkey';
    const transports = passkey.transports || [];
    const attachment = transports.includes('internal') ? 'built into a device'
      : transports.some((t) => ['usb', 'nfc', 'ble', 'smart-card'].includes(t)) ? 'security key'
        : transports.includes('hybrid') ? 'on your phone' : '';
    const provider = passkey.authenticatorName || 'Unknown authenticator';
    // Avoid repeating the provider when the passkey still carries its default name.
    const parts = provider === q('passkey-name').textContent ? [] : [provider];
    if (attachment) parts.push(attachment);
    const line = parts.join(' · ') || provider;
    q('passkey-authenticator').textContent = line.charAt(0).toUpperCase() + line.slice(1);
    q('passkey-authenticator').title = provider;

    const tier = q('passkey-tier');
    tier.textContent = TIER_LABELS[passkey.tier] || `Tier ${passkey.tier}`;
    tier.classList.add(`tier-${passkey.tier}`);
    const reasons = (passkey.reasons || []).map((r) => r.detail || r.rule).filter(Boolean);
    if (reasons.length) tier.title = reasons.join('\n');

    const backup = backupLabel(passkey);
    q('passkey-backup').textContent = backup.text;
    q('passkey-backup').classList.add(`backup-${backup.kind}`);

    if (passkey.status && passkey.status !== 'active') {
      q('passkey-status').textContent = passkey.status.charAt(0).toUpperCase() + passkey.status.slice(1);
      q('passkey-status').hidden = false;
    }
    q('passkey-current').hidden = !(state.session && state.session.credentialId === passkey.id);
    q('passkey-created').textContent = formatDate(passkey.createdAt);
    q('passkey-last-used').textContent = formatDate(passkey.lastUsedAt, 'Not yet');

    const input = q('rename-input');
    input.id = `rename-input-${index}`;
    item.querySelector('.rename-form label').htmlFor = input.id;
    item.querySelector('[data-action="rename"]').setAttribute('aria-label', `Rename ${q('passkey-name').textContent}`);
    item.querySelector('[data-action="remove"]').setAttribute('aria-label', `Remove ${q('passkey-name').textContent}`);
    return item;
  });
  if (items.length === 0) {
    const empty = document.createElement('li');
    empty.className = 'passkey-empty';
    empty.textContent = 'You have no passkeys yet.';
    items.push(empty);
  }
  list.replaceChildren(...items);
  list.dataset.count = String(passkeys.length);
}

function passkeyItem(element) {
  return element.closest('li.passkey');
}

function closeInlineForms(item) {
  item.querySelector('.rename-form').hidden = true;
  item.querySelector('.confirm-remove').hidden = true;
  item.querySelector('.passkey-actions').hidden = false;
}

$('passkey-list').addEventListener('click', (event) => {
  const button = event.target.closest('button[data-action]');
  if (!button) return;
  const item = passkeyItem(button);
  if (!item) return;
  const action = button.dataset.action;
  if (action === 'rename') {
    hideError();
    closeInlineForms(item);
    const form = item.querySelector('.rename-form');
    const input = form.querySelector('input');
    input.value = item.querySelector('.passkey-name').textContent;
    form.hidden = false;
    item.querySelector('.passkey-actions').hidden = true;
    input.focus();
    input.select();
  } else if (action === 'rename-cancel' || action === 'remove-cancel') {
    closeInlineForms(item);
  } else if (action === 'remove') {
    hideError();
    closeInlineForms(item);
    item.querySelector('.confirm-remove').hidden = false;
    item.querySelector('.passkey-actions').hidden = true;
    item.querySelector('[data-action="remove-confirm"]').focus();
  } else if (action === 'remove-confirm') {
    run(async () => {
      hideError();
      const name = item.querySelector('.passkey-name').textContent;
      try {
        await client.removePasskey(item.dataset.credentialId);
        showNotice(`“${name}” was removed. It can no longer sign in to your account.`);
      } catch (error) {
        if (handleSessionLoss(error)) return;
        closeInlineForms(item);
        if (error instanceof ClavigerError && error.code === 'last_credential') {
          showError(error.title || 'You can’t remove your only passkey',
            error.detail || 'Add another passkey first, so you can still sign in.');
        } else {
          showProblem(error, 'We couldn’t remove that passkey');
        }
        return;
      }
      await refreshPasskeys();
    });
  }
});

$('passkey-list').addEventListener('submit', (event) => {
  const form = event.target.closest('.rename-form');
  if (!form) return;
  event.preventDefault();
  const item = passkeyItem(form);
  const name = form.querySelector('input').value.trim();
  if (!name) {
    showError('Please enter a name', 'A passkey name needs between 1 and 64 characters.');
    form.querySelector('input').focus();
    return;
  }
  run(async () => {
    hideError();
    try {
      await client.renamePasskey(item.dataset.credentialId, name);
    } catch (error) {
      if (!handleSessionLoss(error)) showProblem(error, 'We couldn’t rename that passkey');
      return;
    }
    showNotice(`Passkey renamed to “${name}”.`);
    await refreshPasskeys();
  });
});

$('passkey-list').addEventListener('keydown', (event) => {
  if (event.key !== 'Escape') return;
  const item = passkeyItem(event.target);
  if (item) closeInlineForms(item);
});

$('add-passkey').addEventListener('click', () => run(async () => {
  hideError();
  hideNotice();
  let result;
  try {
    result = await client.addPasskey();
  } catch (error) {
    if (!handleSessionLoss(error)) showProblem(error, 'We couldn’t add that passkey');
    return;
  }
  const label = TIER_LABELS[result.tier] || `Tier ${result.tier}`;
  showNotice(`Passkey added: ${result.authenticatorName || 'your passkey'} (${label}).`);
  await refreshPasskeys();
}));

/* ---------------------------------------------------------------------------------------- */
/* Signing in and out                                                                        */
/* ---------------------------------------------------------------------------------------- */

/** Starts autofill sign-in: passkeys appear in the username field's suggestions. */
async function startConditional() {
  if (state.conditional || state.session) return;
  if (!(await ClavigerClient.isConditionalMediationAvailable())) return;
  const controller = new AbortController();
  const done = (async () => {
    let result;
    try {
      result = await client.signIn({ mediation: 'conditional', signal: controller.signal });
    } catch (error) {
      if (controller.signal.aborted) return;
      if (error instanceof ClavigerError && (error.code === 'not_allowed' || error.code === 'aborted')) return;
      if (error instanceof ClavigerError && error.status === 0 && error.code !== 'network_error') return;
      showSignInProblem(error);
      return;
    } finally {
      if (state.conditional && state.conditional.controller === controller) state.conditional = null;
    }
    if (controller.signal.aborted) return;
    await completeSignIn(result);
  })();
  state.conditional = { controller, done };
  document.body.dataset.conditional = 'pending';
}

/** Aborts a pending autofill request and waits until the browser has let go of it. */
async function cancelConditional() {
  const pending = state.conditional;
  if (!pending) return;
  state.conditional = null;
  pending.controller.abort();
  delete document.body.dataset.conditional;
  await pending.done.catch(() => {});
}

async function completeSignIn() {
  hideError();
  const session = await client.session();
  if (!session) {
    showSignInProblem(new ClavigerError({ code: 'authentication_failed' }));
    return;
  }
  await showSignedIn(session);
}

$('signin-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const username = $('signin-username').value.trim();
  run(() => signInModal(username || undefined));
});

$('signin-usernameless').addEventListener('click', () => run(() => signInModal(undefined)));

async function signInModal(username) {
  hideError();
  hideNotice();
  await cancelConditional();
  let result;
  try {
    result = await client.signIn({ username });
  } catch (error) {
    showSignInProblem(error);
    return;
  }
  await completeSignIn(result);
}

$('signup-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const username = $('signup-username').value.trim();
  const displayName = $('signup-display-name').value.trim();
  if (!username || !displayName) {
    showError('Please fill in both fields', 'Choose a username and tell us your full name to open an account.');
    (username ? $('signup-display-name') : $('signup-username')).focus();
    return;
  }
  run(async () => {
    hideError();
    hideNotice();
    await cancelConditional();
    let result;
    try {
      result = await client.signUp({ username, displayName });
    } catch (error) {
      showProblem(error, 'We couldn’t open your account');
      return;
    }
    const session = await client.session().catch(() => null);
    if (!session) {
      showError('Your account is ready', 'Please sign in with your new passkey.');
      return;
    }
    $('signup-form').reset();
    await showSignedIn(session);
    const label = TIER_LABELS[result.tier] || `Tier ${result.tier}`;
    showNotice(`Welcome to Claviger Bank! Your account is open and your passkey is set up (${label}).`);
  });
});

$('sign-out').addEventListener('click', () => run(async () => {
  hideError();
  try {
    await client.signOut();
  } catch (error) {
    if (!(error instanceof ClavigerError && error.status === 401)) {
      showProblem(error, 'We couldn’t sign you out');
      return;
    }
  }
  showSignedOut();
  showNotice('You have signed out. See you soon.');
  $('signin-username').value = '';
}));

$('alert-close').addEventListener('click', hideError);

/* ---------------------------------------------------------------------------------------- */
/* Start                                                                                     */
/* ---------------------------------------------------------------------------------------- */

async function start() {
  if (!ClavigerClient.isSupported()) {
    showError('Passkeys are not available in this browser',
      'Please use an up-to-date browser such as Chrome, Edge, Firefox or Safari to bank online.');
  }
  let session = null;
  try {
    session = await client.session();
  } catch (error) {
    showProblem(error, 'We couldn’t reach online banking');
  }
  if (session) {
    await showSignedIn(session);
  } else {
    showSignedOut();
    await startConditional();
  }
  document.body.dataset.ready = 'true';
}

start();
