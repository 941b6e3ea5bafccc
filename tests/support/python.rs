//! The Python interpreter the tests use to read Agora's files with other
//! projects' readers: `AGORA_TEST_PYTHON` when set, else a venv under the
//! target dir built once from `tests/python/requirements.txt`. When neither
//! works the test fails with pip's output; it never skips.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, OnceLock};

static PYTHON: OnceLock<Result<PathBuf, String>> = OnceLock::new();
static BUILDING: Mutex<()> = Mutex::new(());

fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// `tests/python/NAME`.
pub fn script(name: &str) -> PathBuf {
    repo_path("tests/python").join(name)
}

/// A Python with `tests/python/requirements.txt` installed.
pub fn python() -> PathBuf {
    let found = PYTHON.get_or_init(|| {
        let _one_at_a_time = BUILDING.lock().unwrap_or_else(|e| e.into_inner());
        match std::env::var_os("AGORA_TEST_PYTHON") {
            Some(python) => Ok(PathBuf::from(python)),
            None => venv_python(),
        }
    });
    match found {
        Ok(python) => python.clone(),
        Err(why) => panic!("no Python for the tests: {why}"),
    }
}

/// The venv's interpreter, building the venv when its requirements changed.
fn venv_python() -> Result<PathBuf, String> {
    let requirements = repo_path("tests/python/requirements.txt");
    let wanted = std::fs::read_to_string(&requirements)
        .map_err(|e| format!("{}: {e}", requirements.display()))?;
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("python-venv");
    let python = venv.join("bin").join("python");
    let stamp = venv.join("installed-requirements.txt");
    if std::fs::read_to_string(&stamp).is_ok_and(|had| had == wanted) && python.exists() {
        return Ok(python);
    }
    let base = std::env::var("PYTHON3").unwrap_or_else(|_| "python3".into());
    succeed(
        Command::new(&base)
            .args(["-m", "venv", "--clear"])
            .arg(&venv),
        &format!("{base} -m venv {}", venv.display()),
    )?;
    succeed(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
            ])
            .arg(&requirements),
        &format!("pip install -r {}", requirements.display()),
    )?;
    std::fs::write(&stamp, wanted).map_err(|e| format!("{}: {e}", stamp.display()))?;
    Ok(python)
}

fn succeed(command: &mut Command, what: &str) -> Result<(), String> {
    let output = command.output().map_err(|e| format!("{what}: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed ({}):\n{}",
            output.status,
            both(&output)
        ))
    }
}

/// Stdout and stderr of `output`, for a failure message.
pub fn both(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
