//! `wirewatch console hash-password`: reads a password from stdin (its
//! first line) and prints the argon2id PHC string to put in a
//! `[[console.user]]`'s `password_hash`.

use std::io::BufRead;

use super::Failure;

#[derive(clap::Subcommand, Debug)]
pub enum Action {
    /// Read a password from stdin and print its argon2id hash (PHC string)
    /// for `[[console.user]] password_hash`.
    HashPassword,
}

pub fn run(action: Action) -> Result<(), Failure> {
    match action {
        Action::HashPassword => {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| Failure::Other(anyhow::anyhow!("cannot read stdin: {e}")))?;
            let password = line.strip_suffix('\n').unwrap_or(&line);
            let password = password.strip_suffix('\r').unwrap_or(password);
            let hash = crate::console::hash_password(password).map_err(|e| {
                Failure::Usage(vec![format!("wirewatch console hash-password: {e}")])
            })?;
            println!("{hash}");
            Ok(())
        }
    }
}
