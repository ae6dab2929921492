fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=../../proto/pop.proto");
    tonic_prost_build::configure().compile_protos(&["../../proto/pop.proto"], &["../../proto"])?;
    Ok(())
}
