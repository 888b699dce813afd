// Passkeys in the browser: the two halves of each WebAuthn ceremony against the JSON API, with
// the base64url <-> ArrayBuffer conversions the browser's API needs. Loaded only by the pieces of
// the pages that offer passkeys, so the first visit of a page carries none of it.
//
// window.portcullisPasskeys = { supported, register(name), signIn(), stepUp() }; each call
// answers a promise, rejected with an Error whose message can be shown as it is.

const toBuffer = (text) => {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0)).buffer;
};

const toText = (buffer) => {
  if (!buffer) return null;
  const bytes = new Uint8Array(buffer);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

// Members the server leaves empty are left out: the browser's API takes absent, not null.
const clean = (value) => {
  if (Array.isArray(value)) return value.map(clean);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => [k, clean(v)]),
  );
};

class PasskeyError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

async function api(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = answer.error ?? {};
    const field = Object.values(error.fields ?? {})[0]?.[0];
    throw new PasskeyError(field ?? error.message ?? `The portal answered ${response.status}.`, error.code);
  }
  return answer;
}

// What the browser says when the person cancels, the time runs out or nothing matches.
function browserError(error) {
  if (error instanceof PasskeyError) return error;
  if (error?.name === 'NotAllowedError') {
    return new PasskeyError('No passkey was used: the request was cancelled or timed out.', 'cancelled');
  }
  if (error?.name === 'InvalidStateError') {
    return new PasskeyError('This device already holds a passkey for your account.', 'exists');
  }
  if (error?.name === 'SecurityError') {
    return new PasskeyError(
      `Passkeys do not work at ${location.origin}: open the portal at its host name (e.g. http://localhost:${location.port}).`,
      'origin',
    );
  }
  return new PasskeyError(error?.message ?? String(error), 'browser');
}

function creationOptions(options) {
  const { publicKey } = clean(options);
  return {
    publicKey: {
      ...publicKey,
      challenge: toBuffer(publicKey.challenge),
      user: { ...publicKey.user, id: toBuffer(publicKey.user.id) },
      excludeCredentials: (publicKey.excludeCredentials ?? []).map((c) => ({ ...c, id: toBuffer(c.id) })),
    },
  };
}

function requestOptions(options) {
  const { publicKey } = clean(options);
  return {
    publicKey: {
      ...publicKey,
      challenge: toBuffer(publicKey.challenge),
      allowCredentials: (publicKey.allowCredentials ?? []).map((c) => ({ ...c, id: toBuffer(c.id) })),
    },
  };
}

async function register(name) {
  try {
    const options = await api('/api/v1/me/passkeys/registration', {});
    const credential = await navigator.credentials.create(creationOptions(options));
    const response = credential.response;
    const body = {
      name,
      credential: {
        id: credential.id,
        rawId: toText(credential.rawId),
        type: credential.type,
        response: {
          attestationObject: toText(response.attestationObject),
          clientDataJSON: toText(response.clientDataJSON),
          transports: response.getTransports ? response.getTransports() : undefined,
        },
        extensions: credential.getClientExtensionResults(),
      },
    };
    return (await api('/api/v1/me/passkeys', body)).passkey;
  } catch (error) {
    throw browserError(error);
  }
}

async function assertion(purpose) {
  try {
    const options = await api('/api/v1/auth/passkey/options', { purpose });
    const credential = await navigator.credentials.get(requestOptions(options));
    const response = credential.response;
    const body = {
      credential: {
        id: credential.id,
        rawId: toText(credential.rawId),
        type: credential.type,
        response: {
          authenticatorData: toText(response.authenticatorData),
          clientDataJSON: toText(response.clientDataJSON),
          signature: toText(response.signature),
          userHandle: toText(response.userHandle),
        },
        extensions: credential.getClientExtensionResults(),
      },
    };
    return (await api('/api/v1/auth/passkey', body)).user;
  } catch (error) {
    throw browserError(error);
  }
}

window.portcullisPasskeys = {
  supported: typeof window.PublicKeyCredential === 'function' && !!navigator.credentials,
  register,
  signIn: () => assertion('sign_in'),
  stepUp: () => assertion('step_up'),
};
window.dispatchEvent(new Event('portcullis-passkeys-ready'));
