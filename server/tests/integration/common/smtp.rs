//! A real SMTP server process (aiosmtpd) that stores what it receives in a Maildir.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct SmtpServer {
    pub maildir: PathBuf,
    child: Option<Child>,
}

impl SmtpServer {
    /// Listens on `port`, storing messages under `dir/Maildir` (created by aiosmtpd only
    /// when missing, so it must not exist yet).
    pub async fn start(port: u16, dir: &Path) -> Self {
        let maildir = dir.join("Maildir");
        let mut child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 -m aiosmtpd (pip install aiosmtpd)");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Self { maildir, child: Some(child) };
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("aiosmtpd did not start on port {port}");
    }

    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Messages received so far, decoded.
    pub fn received(&self) -> Vec<String> {
        super::read_mails_any(&self.maildir.join("new"))
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}
