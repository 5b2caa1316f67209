//! Output files, the same way for every command: an output may never be one
//! of the inputs (nor another output), and a finished output appears whole,
//! written under a temporary name and renamed into place on success, while
//! a FIFO or device given as the output is written directly.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use crate::reader;

/// A file's identity: device and inode where the platform has them, and
/// its canonical path.
#[derive(Debug, PartialEq, Eq)]
struct Identity {
    node: Option<(u64, u64)>,
    canonical: Option<PathBuf>,
}

fn identity(path: &Path) -> Option<Identity> {
    let meta = fs::metadata(path).ok()?;
    #[cfg(unix)]
    let node = {
        use std::os::unix::fs::MetadataExt;
        Some((meta.dev(), meta.ino()))
    };
    #[cfg(not(unix))]
    let node = {
        let _ = meta;
        None
    };
    Some(Identity {
        node,
        canonical: fs::canonicalize(path).ok(),
    })
}

/// True when `a` and `b` name the same existing file (same device and
/// inode, or the same canonical path), whatever the spelling or links.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (identity(a), identity(b)) {
        (Some(x), Some(y)) => match (x.node, y.node) {
            (Some(n), Some(m)) => n == m,
            _ => x.canonical.is_some() && x.canonical == y.canonical,
        },
        _ => false,
    }
}

/// True when `a` and `b` name the same file, existing or not: the same
/// file by [`same_file`], or the same name in the same directory.
fn same_place(a: &Path, b: &Path) -> bool {
    let resolve = |p: &Path| {
        let dir = match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        fs::canonicalize(dir)
            .ok()
            .map(|d| d.join(p.file_name().unwrap_or_default()))
    };
    a == b || same_file(a, b) || (resolve(a).is_some() && resolve(a) == resolve(b))
}

/// Refuses outputs (flag, path) that are one of the inputs, or the same
/// file as another output. Character devices such as `/dev/null` may be
/// named more than once.
pub fn ensure_outputs_apart(outputs: &[(&str, &Path)], inputs: &[String]) -> anyhow::Result<()> {
    for (i, (what, out)) in outputs.iter().enumerate() {
        for name in inputs.iter().filter(|n| !reader::is_stdin(n)) {
            if same_file(out, Path::new(name)) {
                bail!(
                    "{what} {:?} is also an input; write it to another file",
                    out.display().to_string()
                );
            }
        }
        for (other, path) in &outputs[..i] {
            let device = fs::metadata(out).is_ok_and(|m| !m.is_file() && !m.is_dir());
            if !device && same_place(out, path) {
                bail!("{other} and {what} name the same file; give them different names");
            }
        }
    }
    Ok(())
}

/// An output file being written. A regular file (or a new one) is written
/// under a temporary name beside it and renamed into place by
/// [`commit`](Self::commit); dropped without a commit, the temporary file
/// is removed, so a failed run never leaves half an output nor clobbers an
/// older one. A FIFO or device is written directly.
pub struct Pending {
    /// `(temporary, final)` paths; `None` when writing directly.
    rename: Option<(PathBuf, PathBuf)>,
}

impl Pending {
    /// Opens `target` for writing and returns the file to write.
    pub fn create(target: &Path) -> anyhow::Result<(Pending, File)> {
        let shown = target.display().to_string();
        if let Ok(meta) = fs::metadata(target) {
            if meta.is_dir() {
                bail!("the output {shown:?} is a directory; name a file");
            }
            if !meta.is_file() {
                let file = OpenOptions::new()
                    .write(true)
                    .open(target)
                    .with_context(|| format!("cannot open the output {shown:?}"))?;
                return Ok((Pending { rename: None }, file));
            }
        }
        // Through a symlink, the file it points to is replaced, not the link.
        let real = match fs::symlink_metadata(target) {
            Ok(m) if m.file_type().is_symlink() => fs::canonicalize(target)
                .with_context(|| format!("cannot follow the link {shown:?}"))?,
            _ => target.to_path_buf(),
        };
        let dir = match real.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let base = real
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("output");
        let pid = std::process::id();
        for attempt in 0..100u32 {
            let temp = dir.join(format!(".{base}.{pid}.{attempt}.tmp"));
            match OpenOptions::new().write(true).create_new(true).open(&temp) {
                Ok(file) => {
                    return Ok((
                        Pending {
                            rename: Some((temp, real)),
                        },
                        file,
                    ))
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(e).with_context(|| {
                        format!(
                            "cannot create a temporary file beside {shown:?}; check that the \
                             directory exists and is writable"
                        )
                    })
                }
            }
        }
        bail!("cannot find a free temporary name beside {shown:?}; remove old .*.tmp files")
    }

    /// Renames the finished temporary file to the output's name.
    pub fn commit(mut self) -> anyhow::Result<()> {
        if let Some((temp, target)) = self.rename.take() {
            if let Err(e) = fs::rename(&temp, &target) {
                let _ = fs::remove_file(&temp);
                return Err(e).with_context(|| {
                    format!(
                        "cannot rename the finished output to {:?}",
                        target.display().to_string()
                    )
                });
            }
        }
        Ok(())
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Some((temp, _)) = self.rename.take() {
            let _ = fs::remove_file(temp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_must_not_be_inputs_or_each_other() {
        let dir = std::env::temp_dir().join(format!("clickstream-files-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let input = dir.join("in.jsonl");
        fs::write(&input, "{}\n").unwrap();
        let link = dir.join("hard.jsonl");
        let _ = fs::remove_file(&link);
        fs::hard_link(&input, &link).unwrap();
        let inputs = vec![input.display().to_string()];
        let err = ensure_outputs_apart(&[("--valid-out", &link)], &inputs).unwrap_err();
        assert!(err.to_string().contains("is also an input"), "{err}");
        let a = dir.join("a.out");
        let err = ensure_outputs_apart(&[("-o", &a), ("--invalid-out", &a)], &inputs).unwrap_err();
        assert_eq!(
            err.to_string(),
            "-o and --invalid-out name the same file; give them different names"
        );
        let null = Path::new("/dev/null");
        assert!(ensure_outputs_apart(&[("-o", null), ("--invalid-out", null)], &inputs).is_ok());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_symlinked_output_replaces_its_target_and_keeps_the_link() {
        let dir = std::env::temp_dir().join(format!("clickstream-link-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let real = dir.join("real.csv");
        fs::write(&real, "old").unwrap();
        let link = dir.join("link.csv");
        let _ = fs::remove_file(&link);
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let (pending, mut file) = Pending::create(&link).unwrap();
        io::Write::write_all(&mut file, b"new").unwrap();
        drop(file);
        pending.commit().unwrap();
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read_to_string(&real).unwrap(), "new");
        fs::remove_dir_all(&dir).unwrap();
    }
}
