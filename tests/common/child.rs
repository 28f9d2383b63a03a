//! The test binary itself as a child process, for behaviour that aborts.

use std::process::Command;

/// This test binary, to be run as a child process. On a target that runs under an emulator
/// (QEMU's user mode, which starts a foreign binary only where the kernel's binfmt_misc is set
/// up for it), `STACKFIRST_TEST_RUNNER` names the emulator and its arguments, as cargo's
/// `target.<triple>.runner` does for the parent.
pub fn this_test_binary() -> Command {
    let exe = std::env::current_exe().unwrap();
    let runner = std::env::var("STACKFIRST_TEST_RUNNER").unwrap_or_default();
    let mut words = runner.split_whitespace();
    match words.next() {
        Some(emulator) => {
            let mut command = Command::new(emulator);
            command.args(words).arg(exe);
            command
        }
        None => Command::new(exe),
    }
}
