// A real OpenID Connect provider for the tests (the `oidc-provider` package), on loopback.
//
//   OIDC_PORT            port to listen on (127.0.0.1)
//   OIDC_ACCOUNTS        JSON file: {"alice": {"email": "...", "name": "...", "groups": ["..."]}, ...},
//                        read again at every sign-in, so a test can change someone's groups
//   OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI, OIDC_POST_LOGOUT_REDIRECT_URI
//   OIDC_ID_TOKEN_TTL    seconds an ID token lives (default 3600)
//   OIDC_CLAIMS_IN_USERINFO_ONLY=1   email, name and groups only from userinfo, not in the ID token
//
// Signing keys are made at start and live only as long as the process. Sign-in is a plain
// form (`login` = an account's key) that a browser or a test's HTTP client can send; consent
// is granted at once. Prints "ready <issuer>" when it listens.

import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const accountsFile = process.env.OIDC_ACCOUNTS;

function accounts() {
  return JSON.parse(fs.readFileSync(accountsFile, 'utf8'));
}

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: crypto.randomUUID(), use: 'sig', alg: 'RS256' };

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.OIDC_CLIENT_ID,
    client_secret: process.env.OIDC_CLIENT_SECRET,
    redirect_uris: [process.env.OIDC_REDIRECT_URI],
    post_logout_redirect_uris: [process.env.OIDC_POST_LOGOUT_REDIRECT_URI],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [signingKey] },
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  pkce: { required: () => true },
  // Scope claims go into the ID token too, unless OIDC_CLAIMS_IN_USERINFO_ONLY=1 keeps them in
  // userinfo alone, as many providers do.
  conformIdTokenClaims: process.env.OIDC_CLAIMS_IN_USERINFO_ONLY === '1',
  claims: {
    openid: ['sub', 'groups'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  ttl: {
    IdToken: Number(process.env.OIDC_ID_TOKEN_TTL || 3600),
    AccessToken: 600,
    AuthorizationCode: 60,
    Interaction: 600,
    Session: 3600,
    Grant: 3600,
  },
  features: {
    devInteractions: { enabled: false },
    // Its own pages, plain: the package's defaults load web fonts from the internet.
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = `<!doctype html><html><head><title>Sign out</title></head><body>
<h1>Sign out of the test identity provider?</h1>${form}
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button></body></html>`;
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = '<!doctype html><html><head><title>Signed out</title></head><body><h1>Signed out</h1></body></html>';
      },
    },
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = `<!doctype html><html><head><title>Error</title></head><body><h1>${escape(out.error)}</h1>
<p>${escape(out.error_description ?? '')}</p></body></html>`;
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(_ctx, id) {
    const account = accounts()[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: account.email, email_verified: true, name: account.name, groups: account.groups ?? [] };
      },
    };
  },
  // Consent is granted at once: the portal is the organisation's own application.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      const grant = await ctx.oidc.provider.Grant.find(grantId);
      if (grant) return grant;
    }
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
});
provider.proxy = false;

async function readForm(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 10_000) break;
  }
  return new URLSearchParams(body);
}

async function interaction(req, res, uid, action) {
  try {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new Error('interaction mismatch');
    if (req.method === 'POST' && action === 'login') {
      const form = await readForm(req);
      const login = form.get('login') ?? '';
      if (!accounts()[login]) {
        res.writeHead(400, { 'content-type': 'text/html' });
        res.end(`<!doctype html><title>Unknown account</title><p>Unknown account ${escape(login)}</p>`);
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html><head><title>Test identity provider</title></head><body>
<h1>Test identity provider</h1>
<form method="post" action="/interaction/${escape(uid)}/login">
<label>Username <input name="login" autocomplete="username"></label>
<button type="submit">Sign in at the provider</button>
</form></body></html>`);
  } catch (error) {
    res.writeHead(400, { 'content-type': 'text/plain' });
    res.end(`interaction failed: ${error.message}`);
  }
}

const handle = provider.callback();
const server = http.createServer((req, res) => {
  const url = new URL(req.url, issuer);
  const match = url.pathname.match(/^\/interaction\/([^/]+)(?:\/(login))?$/);
  if (match) {
    interaction(req, res, match[1], match[2]);
    return;
  }
  handle(req, res);
});
server.listen(port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
