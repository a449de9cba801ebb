//! formcheck-vision: the stages that touch pixels — video input (OpenCV) and pose estimation
//! (BlazePose on ONNX Runtime) — turning frames into [`formcheck_core::landmarks::PoseFrame`]s.

pub mod pose;
pub mod video;
