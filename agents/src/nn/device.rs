//! The compute device a learner runs on.
//!
//! CPU always; CUDA only when the crate is built with the `cuda` feature
//! (which passes through to candle's). Without the feature, asking for
//! CUDA is a configuration error, not a build error, so configs stay
//! portable between machines.

use serde::{Deserialize, Serialize};

use crate::train_error::TrainError;

/// Where tensors live; the `device` key of a learner's config.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceKind {
    /// The CPU (default).
    #[default]
    Cpu,
    /// The first CUDA GPU; needs the `cuda` cargo feature.
    Cuda,
}

impl DeviceKind {
    /// The candle device, or a config error when CUDA was not compiled in.
    pub fn device(self) -> Result<candle_core::Device, TrainError> {
        match self {
            DeviceKind::Cpu => Ok(candle_core::Device::Cpu),
            DeviceKind::Cuda => cuda_device(),
        }
    }
}

#[cfg(feature = "cuda")]
fn cuda_device() -> Result<candle_core::Device, TrainError> {
    Ok(candle_core::Device::new_cuda(0)?)
}

#[cfg(not(feature = "cuda"))]
fn cuda_device() -> Result<candle_core::Device, TrainError> {
    Err(TrainError::config(
        "device",
        "`cuda` needs agora-agents built with the `cuda` feature",
    ))
}
