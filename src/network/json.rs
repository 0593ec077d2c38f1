//! The crate's JSON network file: the stored arrays under a format tag, validated
//! again when read.

use std::path::Path;

use crate::error::{ImportError, NetworkError};

use super::Network;
use super::derive::derive;
use super::model::NetworkData;

/// The format tag of the JSON network file.
pub(super) const FORMAT: &str = "outage-locator/network/1";

impl Network {
    /// Reads a network from the text of the crate's JSON network file at `path`; the
    /// network is validated as [`NetworkBuilder::build`](super::NetworkBuilder::build)
    /// validates it.
    ///
    /// # Errors
    /// [`ImportError::Json`] when it is not a valid network.
    pub(crate) fn from_json(text: &str, path: &Path) -> Result<Network, ImportError> {
        serde_json::from_str(text).map_err(|e| ImportError::Json {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    }
}

impl From<Network> for NetworkData {
    fn from(n: Network) -> Self {
        n.data
    }
}

impl TryFrom<NetworkData> for Network {
    type Error = NetworkError;
    fn try_from(mut data: NetworkData) -> Result<Self, NetworkError> {
        if data.format.is_empty() {
            data.format = FORMAT.to_string();
        }
        let derived = derive(&data, None)?;
        Ok(Network { data, derived })
    }
}

impl Default for NetworkData {
    fn default() -> Self {
        NetworkData {
            format: FORMAT.to_string(),
            name: String::new(),
            buses: Vec::new(),
            elements: Vec::new(),
            devices: Vec::new(),
            customers: Vec::new(),
            sources: Vec::new(),
        }
    }
}
