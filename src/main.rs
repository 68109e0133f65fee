//! The `k8sdoc` binary: everything lives in the library.

fn main() {
    std::process::exit(k8sdoc::run(std::env::args_os()));
}
