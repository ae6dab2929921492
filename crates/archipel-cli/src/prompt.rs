//! Reading a password: from the terminal without echo, or one line of standard input
//! (`--password-stdin`, for scripts), never from the command line where `ps` would show it.

use std::io::{BufRead, IsTerminal, Read, Write};

use nix::sys::termios::{self, LocalFlags, SetArg};

/// The longest password read (the NFVO refuses longer ones anyway).
const LIMIT: usize = 1024;
/// What is read of a line at most: the limit, one byte more to tell a longer line, its end.
const READ: u64 = 1024 + 3;

#[derive(Debug, thiserror::Error)]
pub enum PromptError {
    #[error("standard input is not a terminal: pass the password on it with --password-stdin")]
    NoTerminal,
    #[error("cannot read the password")]
    Read(#[source] std::io::Error),
    #[error("cannot turn the terminal's echo off")]
    Echo(#[source] nix::Error),
    #[error("no password given")]
    Empty,
    #[error("the password is longer than {LIMIT} bytes")]
    TooLong,
}

/// The password: the first line of standard input with `from_stdin`, else typed at the
/// terminal after `prompt` (on stderr) with the echo off.
pub fn password(prompt: &str, from_stdin: bool) -> Result<String, PromptError> {
    let stdin = std::io::stdin();
    let line = if from_stdin {
        read_line(&mut stdin.lock())?
    } else {
        if !stdin.is_terminal() {
            return Err(PromptError::NoTerminal);
        }
        eprint!("{prompt}");
        let _ = std::io::stderr().flush();
        let saved = termios::tcgetattr(&stdin).map_err(PromptError::Echo)?;
        let mut quiet = saved.clone();
        quiet.local_flags.remove(LocalFlags::ECHO);
        termios::tcsetattr(&stdin, SetArg::TCSANOW, &quiet).map_err(PromptError::Echo)?;
        let line = read_line(&mut stdin.lock());
        let restored = termios::tcsetattr(&stdin, SetArg::TCSANOW, &saved);
        eprintln!();
        restored.map_err(PromptError::Echo)?;
        line?
    };
    if line.is_empty() {
        return Err(PromptError::Empty);
    }
    Ok(line)
}

fn read_line(input: &mut impl BufRead) -> Result<String, PromptError> {
    let mut line = String::new();
    input.by_ref().take(READ).read_line(&mut line).map_err(PromptError::Read)?;
    let line = line.strip_suffix('\n').unwrap_or(&line);
    let line = line.strip_suffix('\r').unwrap_or(line);
    if line.len() > LIMIT {
        return Err(PromptError::TooLong);
    }
    Ok(line.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_without_its_end() {
        assert_eq!(read_line(&mut &b"s3cret:x\r\nmore"[..]).unwrap(), "s3cret:x");
        assert_eq!(read_line(&mut &b"pw"[..]).unwrap(), "pw");
        let long = vec![b'a'; LIMIT + 5];
        assert!(matches!(read_line(&mut &long[..]), Err(PromptError::TooLong)));
    }
}
