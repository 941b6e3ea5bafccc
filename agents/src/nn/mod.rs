//! Neural-network pieces on candle that candle-nn lacks or that the
//! learners need in a checkpointable, seeded form.
//!
//! | module | owns |
//! | --- | --- |
//! | [`mlp`] | fully connected networks (weights as candle `Var`s) |
//! | [`linear`] | the fused affine layer with its backward (a candle custom op) |
//! | [`host_forward`] | the forward pass on host copies of the parameters, for acting |
//! | [`matmul`] | the one-thread CPU matrix product (a candle custom op) |
//! | [`tanh`] | a vectorizable `tanh` (a candle custom op) |
//! | [`init`] | seeded torch-default (Kaiming-uniform) and orthogonal init |
//! | [`adam`] | Adam with torch semantics and byte-exportable state |
//! | [`clip`] | global gradient-norm clipping (`clip_grad_norm_`) |
//! | [`categorical`] | categorical sampling, log-probabilities, entropy |
//! | [`weights`] | named parameters ↔ safetensors bytes, warm start |
//! | [`threads`] | how many CPU threads the tensor maths may use |
//! | [`device`] | the compute device (CPU, or CUDA with the `cuda` feature) |
//!
//! Parameters live in candle `Var`s on the chosen device; the optimizer
//! keeps its moments and a master copy of the parameters on the host in
//! `f32`, which for the small networks of classic-control RL is faster than
//! one candle op per moment update and makes the state trivial to save.

pub mod adam;
pub mod categorical;
pub mod clip;
pub mod device;
pub mod host_forward;
pub mod init;
pub mod linear;
pub mod matmul;
pub mod mlp;
pub mod tanh;
pub mod threads;
pub mod weights;
