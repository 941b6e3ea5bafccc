//! A Mosquitto process on a free port, configured by the shipped
//! `broker-config/mosquitto.conf` with only the port and the persistence
//! folder rewritten.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::{free_port, terminate, wait_until};

/// A running `mosquitto`; stopped when dropped.
pub struct Mosquitto {
    child: Option<Child>,
    pub port: u16,
    dir: tempfile::TempDir,
    config: PathBuf,
}

impl Mosquitto {
    /// Starts mosquitto on a free port with the shipped config.
    pub fn start() -> Mosquitto {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let shipped = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/broker-config/mosquitto.conf"
        ))
        .expect("broker-config/mosquitto.conf is readable");
        assert!(
            shipped.contains("listener 1883 127.0.0.1\n"),
            "the shipped config names its listener"
        );
        assert!(
            shipped.contains("persistence_location /var/lib/mosquitto/\n"),
            "and its persistence folder"
        );
        assert!(
            shipped.contains("set_tcp_nodelay true"),
            "and keeps TCP_NODELAY on"
        );
        let config_text = shipped
            .replace(
                "listener 1883 127.0.0.1\n",
                &format!("listener {port} 127.0.0.1\n"),
            )
            .replace(
                "persistence_location /var/lib/mosquitto/\n",
                &format!("persistence_location {}/\n", dir.path().display()),
            )
            + &format!("log_dest file {}/mosquitto.log\n", dir.path().display());
        let config = dir.path().join("mosquitto.conf");
        std::fs::write(&config, config_text).expect("write test mosquitto.conf");
        // Run as root, mosquitto drops to the `mosquitto` user, which must
        // be able to write its persistence file and log here.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777))
            .expect("chmod temp dir");
        let mut broker = Mosquitto {
            child: None,
            port,
            dir,
            config,
        };
        broker.spawn();
        broker
    }

    fn spawn(&mut self) {
        let child = Command::new("mosquitto")
            .arg("-c")
            .arg(&self.config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start mosquitto ({e}); install it: apt-get install -y mosquitto (.ci/run does)"));
        self.child = Some(child);
        let port = self.port;
        let up = wait_until(Duration::from_secs(10), || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        assert!(
            up,
            "mosquitto did not listen on {port}; log: {}",
            self.log()
        );
    }

    /// Stops it gracefully (SIGTERM, so it saves its persistence file).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            terminate(child.id());
            let exited = wait_until(Duration::from_secs(10), || {
                matches!(child.try_wait(), Ok(Some(_)))
            });
            if !exited {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }

    /// Starts it again on the same port with the same persistence.
    pub fn restart(&mut self) {
        self.stop();
        self.spawn();
    }

    /// Its log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("mosquitto.log")).unwrap_or_default()
    }
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
