// Starts the real portcullis binary (debug build from `cargo leptos build`) on a free port with a
// fresh SQLite database and `.eml` mail, and reads the mail it writes.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * A port that is free now, for a process that binds it itself. Chosen below the system's
 * ephemeral range (32768 and up on Linux): the ports the system hands out for port 0 and for
 * outgoing connections (the browser's, the database's) come from there, so none of them can
 * take this port before the server binds it.
 */
export async function freePort() {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (await bindable(port)) return port;
  }
}

function bindable(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.on('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * `env` adds to or overrides the server's environment (e.g. `PORTCULLIS_REQUIRE_MFA`); `port`, when
 * the test must know it first (an identity provider's redirect URI names it).
 */
export async function startServer({ demo = true, env = {}, port: chosen } = {}) {
  const binary = process.env.PORTCULLIS_BIN ?? path.join(root, 'target/debug/portcullis');
  const dataDir = await mkdtemp(path.join(tmpdir(), 'portcullis-e2e-'));
  const port = chosen ?? await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = ['serve', ...(demo ? ['--demo'] : [])];
  const child = spawn(binary, args, {
    cwd: root,
    env: {
      ...process.env,
      PORTCULLIS_DATA_DIR: dataDir,
      PORTCULLIS_ADDR: `127.0.0.1:${port}`,
      PORTCULLIS_PUBLIC_URL: url,
      PORTCULLIS_SITE_ROOT: path.join(root, 'target/site'),
      PORTCULLIS_MAIL_POLL_MS: '100',
      DATABASE_URL: '',
      SMTP_URL: '',
      // The suites sign in with passwords only (--demo implies this unless the environment sets it).
      PORTCULLIS_REQUIRE_MFA: 'off',
      RUST_LOG: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  child.stderr.on('data', (chunk) => { output += chunk; });
  const exited = new Promise((resolve) => child.on('exit', resolve));

  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`portcullis exited early:\n${output}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (attempt > 300) throw new Error(`portcullis did not become healthy:\n${output}`);
    await sleep(100);
  }

  return {
    url,
    dataDir,
    output: () => output,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      await rm(dataDir, { recursive: true, force: true });
    },
    /** Waits for the newest mail to `to` whose text matches `pattern`; returns its decoded text. */
    async waitForMail(to, pattern, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      const mailDir = path.join(dataDir, 'mail');
      while (Date.now() < deadline) {
        let files = [];
        try {
          files = (await readdir(mailDir)).filter((f) => f.endsWith('.eml'));
        } catch {
          // the directory appears with the first message
        }
        // Newest first: a link mailed again replaces the one before it.
        const written = await Promise.all(files.map(async (f) => [f, (await stat(path.join(mailDir, f))).mtimeMs]));
        written.sort((a, b) => b[1] - a[1]);
        for (const [file] of written) {
          const text = decodeMail(await readFile(path.join(mailDir, file), 'utf8'));
          if (new RegExp(`^To: .*${escapeRegExp(to)}`, 'mi').test(text) && pattern.test(text)) return text;
        }
        await sleep(100);
      }
      throw new Error(`no mail to ${to} matching ${pattern} within ${timeoutMs} ms`);
    },
  };
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Undoes quoted-printable soft line breaks and escapes, enough to read links. */
function decodeMail(raw) {
  return raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
}

/** The first link in `text` to `path` (e.g. `/verify-email`), as an absolute URL. */
export function linkTo(text, pathname) {
  const match = text.match(new RegExp(`https?://[^\\s"<>]+${escapeRegExp(pathname)}\\?token=[A-Za-z0-9_-]+`));
  if (!match) throw new Error(`no ${pathname} link in mail:\n${text}`);
  return match[0];
}
