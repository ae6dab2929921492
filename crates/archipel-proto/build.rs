//! Compiles `proto/pop.proto` with protox, a protobuf compiler in Rust, so the build needs no
//! system `protoc` and no protobuf include directory (the well-known types are built in).
fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=../../proto/pop.proto");
    let descriptors = protox::compile(["pop.proto"], ["../../proto"])?;
    tonic_prost_build::configure().compile_fds(descriptors)?;
    Ok(())
}
