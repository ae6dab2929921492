//! The `key=value` words of `create` and `spawn`, as the thesis's `pop spawn` takes them:
//! `image=IMAGE [name=NAME] [flavour=FLAVOUR] [net=NET [ip=ADDR]]…`.
//!
//! Each `net=` adds an endpoint on that network (a name or an id); an `ip=` asks for an address
//! on the endpoint of the `net=` before it. An `ip=` before any `net=` asks for an address on
//! [`DEFAULT_NETWORK`]. Without any `net=` nor `ip=`, popd puts the container on its default
//! network. Values are checked by popd, not here.

use std::collections::HashMap;

use archipel_pop_client::pb;

/// The network an `ip=` before any `net=` is on: popd's default network unless popd was given
/// another `--default-network` (then name it with `net=`).
pub const DEFAULT_NETWORK: &str = "private";

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum WordsError {
    #[error("'{0}' is not KEY=VALUE (keys: image, name, flavour, net, ip)")]
    NotKeyValue(String),
    #[error("'{0}': unknown key (keys: image, name, flavour, net, ip)")]
    UnknownKey(String),
    #[error("'{0}': the value is empty")]
    EmptyValue(String),
    #[error("'{word}': {key}= is given twice")]
    Repeated { word: String, key: &'static str },
    #[error("'{word}': network {net} is given twice")]
    RepeatedNetwork { word: String, net: String },
    #[error("'{word}': network {net} already has an address")]
    RepeatedAddress { word: String, net: String },
    #[error("image=IMAGE is missing")]
    MissingImage,
}

/// The ContainerConfig that the words describe.
pub fn parse(words: &[String]) -> Result<pb::ContainerConfig, WordsError> {
    let mut image = None;
    let mut name = None;
    let mut flavour = None;
    // (network, address) in the order given.
    let mut endpoints: Vec<(String, Option<String>)> = Vec::new();
    for word in words {
        let (key, value) =
            word.split_once('=').ok_or_else(|| WordsError::NotKeyValue(word.clone()))?;
        if value.is_empty() {
            return Err(WordsError::EmptyValue(word.clone()));
        }
        let once = |slot: &mut Option<String>, key: &'static str| match slot {
            Some(_) => Err(WordsError::Repeated { word: word.clone(), key }),
            None => {
                *slot = Some(value.to_string());
                Ok(())
            }
        };
        match key {
            "image" => once(&mut image, "image")?,
            "name" => once(&mut name, "name")?,
            "flavour" => once(&mut flavour, "flavour")?,
            "net" => {
                if endpoints.iter().any(|(net, _)| net == value) {
                    return Err(WordsError::RepeatedNetwork {
                        word: word.clone(),
                        net: value.to_string(),
                    });
                }
                endpoints.push((value.to_string(), None));
            }
            "ip" => {
                if endpoints.is_empty() {
                    endpoints.push((DEFAULT_NETWORK.to_string(), None));
                }
                let (net, address) = endpoints.last_mut().expect("an endpoint was just ensured");
                if address.is_some() {
                    return Err(WordsError::RepeatedAddress {
                        word: word.clone(),
                        net: net.clone(),
                    });
                }
                *address = Some(value.to_string());
            }
            _ => return Err(WordsError::UnknownKey(word.clone())),
        }
    }
    let endpoints: HashMap<_, _> = endpoints
        .into_iter()
        .map(|(net, address)| {
            let endpoint = pb::Endpoint {
                net_name: net.clone(),
                ipv4: address.map(|address| pb::Ip { address, subnet: None }),
                ..Default::default()
            };
            (net, endpoint)
        })
        .collect();
    Ok(pb::ContainerConfig {
        name: name.unwrap_or_default(),
        image_id: image.ok_or(WordsError::MissingImage)?,
        flavour_id: flavour.unwrap_or_default(),
        endpoints,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_words(words: &str) -> Result<pb::ContainerConfig, WordsError> {
        let words: Vec<String> = words.split_whitespace().map(String::from).collect();
        parse(&words)
    }

    fn address(config: &pb::ContainerConfig, net: &str) -> Option<String> {
        config.endpoints[net].ipv4.as_ref().map(|ip| ip.address.clone())
    }

    #[test]
    fn the_thesis_example_parses() {
        let config = parse_words("image=nginx:latest name=nginx-cont").unwrap();
        assert_eq!(config.image_id, "nginx:latest");
        assert_eq!(config.name, "nginx-cont");
        assert!(config.endpoints.is_empty());
    }

    #[test]
    fn ip_belongs_to_the_net_before_it() {
        let config =
            parse_words("net=a ip=10.0.0.5 image=x net=b flavour=small net=c ip=10.2.0.9").unwrap();
        assert_eq!(config.endpoints.len(), 3);
        assert_eq!(address(&config, "a").as_deref(), Some("10.0.0.5"));
        assert_eq!(address(&config, "b"), None);
        assert_eq!(address(&config, "c").as_deref(), Some("10.2.0.9"));
        assert_eq!(config.endpoints["b"].net_name, "b");
        assert_eq!(config.flavour_id, "small");
    }

    #[test]
    fn ip_before_any_net_is_on_the_default_network() {
        let config = parse_words("ip=172.16.0.9 image=x").unwrap();
        assert_eq!(address(&config, DEFAULT_NETWORK).as_deref(), Some("172.16.0.9"));
        let twice = parse_words("ip=172.16.0.9 net=private image=x").unwrap_err();
        assert!(matches!(twice, WordsError::RepeatedNetwork { .. }));
    }

    #[test]
    fn errors_name_the_bad_word() {
        let cases = [
            ("image=x oops", "'oops' is not KEY=VALUE"),
            ("image=x colour=red", "'colour=red': unknown key"),
            ("image=", "'image=': the value is empty"),
            ("image=x image=y", "'image=y': image= is given twice"),
            ("image=x net=a net=a", "'net=a': network a is given twice"),
            ("image=x net=a ip=1 ip=2", "'ip=2': network a already has an address"),
        ];
        for (words, message) in cases {
            let err = parse_words(words).unwrap_err().to_string();
            assert!(err.starts_with(message), "{words}: {err}");
        }
    }

    #[test]
    fn image_is_required() {
        assert_eq!(parse_words("name=web").unwrap_err(), WordsError::MissingImage);
    }
}
