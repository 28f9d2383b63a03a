# Sourced by the scripts that build for targets rustup cannot fetch here (thumbv7em-none-eabihf,
# i686-unknown-linux-gnu): Debian's rustc-web, whose library source matches it, which
# -Zbuild-std needs. `debian_rust [package...]` installs it and the given Debian packages when
# any is missing, then exports RUSTC, RUSTDOC and RUSTC_BOOTSTRAP (for -Zbuild-std) and sets
# `cargo` to Debian's cargo.
debian_rust() {
  if ! ls /usr/src/rustc-*/library/core >/dev/null 2>&1 ||
    ! dpkg -s rustc-web cargo-web rust-web-src "$@" >/dev/null 2>&1; then
    apt-get update -q
    apt-get install -y -q --no-install-recommends rustc-web cargo-web rust-web-src "$@"
  fi
  export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1
  cargo=/usr/bin/cargo
  $RUSTC --version
}
