//! `make()` parameters written as TOML tables in configs.

/// `make()` parameters from a TOML table (`[env] params`, `env_params`,
/// `world_params`): strings as they are, arrays as comma-separated values
/// (`depot = [3, 4]`), anything else written out. An error names the key.
pub fn params_from_toml(
    table: &toml::Table,
) -> Result<agora_agents::Params, (String, agora_agents::EnvError)> {
    let mut params = agora_agents::Params::new();
    for (key, value) in table {
        let text = match value {
            toml::Value::String(s) => s.clone(),
            toml::Value::Array(items) => items
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(","),
            other => other.to_string(),
        };
        params
            .set_pair(&format!("{key}={text}"))
            .map_err(|e| (key.clone(), e))?;
    }
    Ok(params)
}
