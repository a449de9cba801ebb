//! Model files: locating them, checking their sha256 against `models/manifest.json`, and finding
//! output tensors by role.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::PoseError;

/// A model file whose bytes matched the manifest.
pub struct VerifiedModel {
    /// Path of the `.onnx` file.
    pub path: PathBuf,
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// Output tensor names by role (`regressors`, `scores`, `landmarks`, `pose_flag`, `heatmap`,
    /// `world_landmarks`), as the manifest lists them (the landmark models' unread segmentation
    /// output is cut at conversion, see `models/README.md`).
    pub output_roles: Vec<(String, String)>,
}

impl VerifiedModel {
    /// The output name the manifest gives for `role`, if any.
    pub fn output_for_role(&self, role: &str) -> Option<&str> {
        self.output_roles.iter().find(|(r, _)| r == role).map(|(_, n)| n.as_str())
    }
}

/// Lower-case hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads `dir/file`, looks up its entry in `dir/manifest.json` (`models[].file`) and checks the
/// sha256. Errors name the file and both checksums.
pub fn load_verified(dir: &Path, file: &str) -> Result<VerifiedModel, PoseError> {
    let manifest_path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&manifest_path)
        .map_err(|source| PoseError::Io { path: manifest_path.clone(), source })?;
    let manifest: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| PoseError::Manifest { path: manifest_path.clone(), message: e.to_string() })?;
    let bad = |message: String| PoseError::Manifest { path: manifest_path.clone(), message };
    let entries = manifest.get("models").and_then(|m| m.as_array()).ok_or_else(|| bad("no `models` array".into()))?;
    let entry = entries
        .iter()
        .find(|e| e.get("file").and_then(|f| f.as_str()) == Some(file))
        .ok_or_else(|| bad(format!("no entry for {file}")))?;
    let expected = entry
        .get("sha256")
        .and_then(|s| s.as_str())
        .ok_or_else(|| bad(format!("{file}: no sha256")))?
        .to_ascii_lowercase();
    let mut output_roles = Vec::new();
    if let Some(outputs) = entry.get("outputs").and_then(|o| o.as_array()) {
        for o in outputs {
            if let (Some(role), Some(name)) =
                (o.get("role").and_then(|r| r.as_str()), o.get("name").and_then(|n| n.as_str()))
            {
                output_roles.push((role.to_string(), name.to_string()));
            }
        }
    }
    let path = dir.join(file);
    let bytes = std::fs::read(&path).map_err(|source| PoseError::Io { path: path.clone(), source })?;
    let actual = sha256_hex(&bytes);
    if actual != expected {
        return Err(PoseError::ChecksumMismatch { path, expected, actual });
    }
    Ok(VerifiedModel { path, bytes, output_roles })
}

/// Finds the output called `name` (from the manifest) or else the one whose shape satisfies
/// `matches`, returning its name.
pub fn pick_output(
    session: &ort::session::Session,
    model: &str,
    manifest_name: Option<&str>,
    what: &str,
    matches: impl Fn(&[i64]) -> bool,
) -> Result<String, PoseError> {
    let outputs = session.outputs();
    if let Some(n) = manifest_name {
        if outputs.iter().any(|o| o.name() == n) {
            return Ok(n.to_string());
        }
    }
    outputs
        .iter()
        .find(|o| o.dtype().tensor_shape().is_some_and(|s| matches(s)))
        .map(|o| o.name().to_string())
        .ok_or_else(|| PoseError::ModelShape {
            model: model.to_string(),
            message: format!(
                "no output for {what}; outputs are {:?}",
                outputs.iter().map(|o| (o.name(), o.dtype().tensor_shape().map(|s| s.to_vec()))).collect::<Vec<_>>()
            ),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_input() {
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    fn unique_temp_dir(tag: &str) -> PathBuf {
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let dir = std::env::temp_dir().join(format!("formcheck-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    #[test]
    fn corrupt_model_is_a_checksum_error() {
        let dir = unique_temp_dir("sha");
        let model = b"not really onnx, but bytes with a checksum".to_vec();
        let manifest = serde_json::json!({
            "models": [{"file": "m.onnx", "sha256": sha256_hex(&model),
                        "outputs": [{"name": "Identity", "role": "landmarks"}]}]
        });
        std::fs::write(dir.join("manifest.json"), manifest.to_string()).expect("write manifest");
        std::fs::write(dir.join("m.onnx"), &model).expect("write model");
        let ok = load_verified(&dir, "m.onnx").expect("intact file verifies");
        assert_eq!(ok.output_for_role("landmarks"), Some("Identity"));
        let mut corrupt = model.clone();
        corrupt[3] ^= 0x01;
        std::fs::write(dir.join("m.onnx"), &corrupt).expect("write model");
        let err = load_verified(&dir, "m.onnx").err().expect("corrupt file must fail");
        assert!(matches!(err, PoseError::ChecksumMismatch { .. }), "{err}");
        assert!(err.to_string().contains("m.onnx") && err.to_string().contains(&sha256_hex(&model)));
        let missing = load_verified(&dir, "other.onnx").err().expect("no entry");
        assert!(missing.to_string().contains("no entry for other.onnx"), "{missing}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn corrupt_real_model_copy_is_rejected() {
        // Uses the real models when present; skipped otherwise.
        let src = super::super::default_models_dir();
        let Ok(bytes) = std::fs::read(src.join("pose_detection.onnx")) else { return };
        let Ok(manifest) = std::fs::read(src.join("manifest.json")) else { return };
        let dir = unique_temp_dir("real");
        std::fs::write(dir.join("manifest.json"), manifest).expect("copy manifest");
        let mut corrupt = bytes;
        let mid = corrupt.len() / 2;
        corrupt[mid] ^= 0x40;
        std::fs::write(dir.join("pose_detection.onnx"), corrupt).expect("copy model");
        let err = load_verified(&dir, "pose_detection.onnx").err().expect("must fail");
        assert!(matches!(err, PoseError::ChecksumMismatch { .. }), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
