//! Running rustfmt over the files and pieces that need it. Pieces share files (a process per
//! file costs more than formatting a piece), separated by a marker item; with enough to do and
//! a second CPU, two processes share the work.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{CONFIG, CONFIG_FILE};
use crate::emit::Files;
use crate::error::{Error, Result};

/// Put between inputs that share a file: an item rustfmt prints as it is, and that ends a run
/// of `use` items (which rustfmt would otherwise sort across inputs).
const MARKER: &str = "fn rustfmt_piece_marker() {}\n";

/// Below this many bytes to format, one rustfmt process is as fast as two.
const SPLIT_BYTES: usize = 64 * 1024;

/// Formats `roots` (files of `files` that declare modules, formatted in place in the crate's
/// tree) and `inputs` (each formatted as a file of its own would be), working in a new folder
/// inside `base`; their outputs, roots first.
pub fn run(
    binary: &Path,
    base: &Path,
    files: &Files,
    roots: &[String],
    inputs: &[String],
) -> Result<Vec<String>> {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let dir = base.join(format!(
        "airflow-codegen-fmt-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = run_in(&dir, binary, files, roots, inputs);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// Where one input went: a file of its own, or a place in a lane's shared file.
enum Place {
    Own(PathBuf),
    Shared { lane: usize, position: usize },
}

/// The files written for rustfmt, by lane (one rustfmt process each).
struct Layout {
    /// The files each process is given.
    named: [Vec<PathBuf>; 2],
    /// Each lane's shared file and how many inputs it holds.
    shared: [(PathBuf, usize); 2],
    /// Where each input went, in input order.
    places: Vec<Place>,
}

fn io_error(dir: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::at("", format!("formatting in {}: {e}", dir.display()))
}

fn write(dir: &Path, path: &Path, text: &str) -> Result<()> {
    std::fs::create_dir_all(path.parent().unwrap_or(dir)).map_err(io_error(dir))?;
    std::fs::write(path, text).map_err(io_error(dir))
}

fn read(dir: &Path, path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(io_error(dir))
}

fn run_in(
    dir: &Path,
    binary: &Path,
    files: &Files,
    roots: &[String],
    inputs: &[String],
) -> Result<Vec<String>> {
    let layout = lay_out(dir, files, roots, inputs)?;
    let (second, first) = crate::parallel::join(
        || rustfmt(binary, &layout.named[1]),
        || rustfmt(binary, &layout.named[0]),
    );
    first?;
    second?;
    let mut outputs: Vec<String> = roots
        .iter()
        .map(|r| read(dir, &dir.join(r)))
        .collect::<Result<_>>()?;
    let mut split: [Option<Vec<String>>; 2] = [None, None];
    for (lane, (path, count)) in layout.shared.iter().enumerate() {
        if *count > 0 {
            split[lane] = split_shared(&read(dir, path)?, *count);
        }
    }
    let mut unsure = Vec::new();
    for (i, place) in layout.places.iter().enumerate() {
        let output = match place {
            Place::Own(path) => read(dir, path)?,
            Place::Shared { lane, position } => match &split[*lane] {
                Some(pieces) => pieces[*position].clone(),
                None => {
                    unsure.push(i);
                    String::new()
                }
            },
        };
        outputs.push(output);
    }
    // A shared file rustfmt did not give back with its markers as they were: its inputs are
    // formatted again, each in a file of its own.
    if !unsure.is_empty() {
        let mut paths = Vec::new();
        for &i in &unsure {
            let path = dir.join("again").join(format!("{i}.rs"));
            write(dir, &path, &inputs[i])?;
            paths.push(path);
        }
        rustfmt(binary, &paths)?;
        for (&i, path) in unsure.iter().zip(&paths) {
            outputs[roots.len() + i] = read(dir, path)?;
        }
    }
    Ok(outputs)
}

/// Writes the roots (in the crate's tree) and the inputs (most in a shared file per lane) into
/// `dir`, and splits the work in two lanes when there is enough of it and a second CPU.
fn lay_out(dir: &Path, files: &Files, roots: &[String], inputs: &[String]) -> Result<Layout> {
    std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    std::fs::write(dir.join(CONFIG_FILE), CONFIG).map_err(io_error(dir))?;
    if !roots.is_empty() {
        // rustfmt follows a root's `mod` lines into the other files: they are there, empty,
        // so that costs nothing.
        for (relative, text) in files.iter().filter(|(p, _)| p.ends_with(".rs")) {
            let text = if roots.contains(relative) { text } else { "" };
            write(dir, &dir.join(relative), text)?;
        }
    }
    let root_bytes: usize = roots.iter().map(|r| files[r].len()).sum();
    let total = root_bytes + inputs.iter().map(String::len).sum::<usize>();
    let parallel = std::thread::available_parallelism().map_or(1, |n| n.get());
    let lanes = if total >= SPLIT_BYTES && parallel >= 2 {
        2
    } else {
        1
    };
    // Roots stay in the first lane: they may follow into each other.
    let mut load = [root_bytes, 0];
    let mut named: [Vec<PathBuf>; 2] = [roots.iter().map(|r| dir.join(r)).collect(), Vec::new()];
    let mut shared: [Vec<&str>; 2] = [Vec::new(), Vec::new()];
    let mut places = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.iter().enumerate() {
        let lane = (0..lanes).min_by_key(|&l| load[l]).unwrap_or(0);
        load[lane] += input.len();
        if needs_own_file(input) {
            let path = dir.join("own").join(format!("{i}.rs"));
            write(dir, &path, input)?;
            named[lane].push(path.clone());
            places.push(Place::Own(path));
        } else {
            places.push(Place::Shared {
                lane,
                position: shared[lane].len(),
            });
            shared[lane].push(input);
        }
    }
    let paths = [dir.join("shared-0.rs"), dir.join("shared-1.rs")];
    for (lane, path) in paths.iter().enumerate() {
        if !shared[lane].is_empty() {
            write(dir, path, &shared[lane].join(MARKER))?;
            named[lane].push(path.clone());
        }
    }
    let [first, second] = paths;
    Ok(Layout {
        named,
        shared: [(first, shared[0].len()), (second, shared[1].len())],
        places,
    })
}

/// Every `.rs` file of `files` formatted whole, as `cargo fmt` formats a crate: the reference
/// that formatting in pieces is held to.
pub fn whole(binary: &Path, base: &Path, files: &Files) -> Result<Files> {
    let dir = base.join(format!("airflow-codegen-fmt-whole-{}", std::process::id()));
    let result = whole_in(&dir, binary, files);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn whole_in(dir: &Path, binary: &Path, files: &Files) -> Result<Files> {
    let mut paths = Vec::new();
    for (relative, text) in files.iter().filter(|(p, _)| p.ends_with(".rs")) {
        let path = dir.join(relative);
        write(dir, &path, text)?;
        paths.push(path);
    }
    write(dir, &dir.join(CONFIG_FILE), CONFIG)?;
    rustfmt(binary, &paths)?;
    files
        .keys()
        .filter(|p| p.ends_with(".rs"))
        .map(|relative| Ok((relative.clone(), read(dir, &dir.join(relative))?)))
        .collect()
}

/// Inner attributes and doc comments (`#![...]`, `//!`) are only valid at the start of a file.
fn needs_own_file(input: &str) -> bool {
    input.contains("#!") || input.contains("//!") || input.contains("/*!")
}

/// A shared file's output cut at its markers into `count` outputs, each as its input would be
/// formatted alone (which drops blank lines at the start); `None` when the markers are not as
/// they were.
fn split_shared(output: &str, count: usize) -> Option<Vec<String>> {
    let mut pieces = Vec::with_capacity(count);
    let mut rest = output;
    loop {
        let at = rest
            .match_indices(MARKER)
            .map(|(i, _)| i)
            .find(|&i| i == 0 || rest.as_bytes()[i - 1] == b'\n');
        let (piece, next) = match at {
            Some(at) => (&rest[..at], Some(&rest[at + MARKER.len()..])),
            None => (rest, None),
        };
        pieces.push(piece.trim_start_matches('\n').to_string());
        match next {
            Some(next) => rest = next,
            None => break,
        }
    }
    (pieces.len() == count && pieces.iter().all(|p| p.ends_with('\n'))).then_some(pieces)
}

/// One rustfmt process over `paths` (none: nothing to do).
fn rustfmt(binary: &Path, paths: &[PathBuf]) -> Result<()> {
    if paths.is_empty() {
        return Ok(());
    }
    let output = Command::new(binary)
        .arg("--edition=2021")
        .args(paths)
        .output()
        .map_err(|e| {
            Error::at("", format!("cannot run `{}`: {e}", binary.display()))
                .with_hint("install it with `rustup component add rustfmt`, or set RUSTFMT")
        })?;
    if !output.status.success() {
        return Err(Error::at(
            "",
            format!(
                "rustfmt rejected the emitted code: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ),
        )
        .with_hint("this is a generator bug; please report it with the document"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_output_is_cut_at_markers_and_checked() {
        let output = format!("use a;\n{MARKER}\nfn b() {{}}\n{MARKER}struct C;\n");
        assert_eq!(
            split_shared(&output, 3),
            Some(vec![
                "use a;\n".to_string(),
                "fn b() {}\n".to_string(),
                "struct C;\n".to_string()
            ])
        );
        assert_eq!(split_shared(&output, 2), None);
        // A marker that is not a line of its own does not count.
        assert_eq!(
            split_shared(&format!("// {MARKER}"), 1).map(|p| p.len()),
            Some(1)
        );
    }
}
