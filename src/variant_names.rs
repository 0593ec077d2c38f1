//! The names of the crate's unit enums, read from their one definition: the serde
//! names (`rename_all`, `rename`) that records and snapshots already print. `Display`
//! and parsing go through here, so no table repeats them.

use std::fmt;

use serde::ser::{Impossible, Serialize, Serializer};

/// The serde name of a unit variant (`OutageCause::Fault` → `fault`).
///
/// # Panics
/// When `value` does not serialise as a unit variant: only the crate's unit enums
/// are passed here, and their derived `Serialize` always does.
pub(crate) fn name_of<T: Serialize>(value: &T) -> &'static str {
    match value.serialize(VariantName) {
        Ok(name) => name,
        Err(NotAUnitVariant) => panic!("name_of is for unit enum variants only"),
    }
}

/// The unit variant whose serde name is `name`, exactly (case and all).
pub(crate) fn from_name<T: serde::de::DeserializeOwned>(name: &str) -> Option<T> {
    use serde::de::IntoDeserializer;
    let de: serde::de::value::StrDeserializer<'_, serde::de::value::Error> =
        name.into_deserializer();
    T::deserialize(de).ok()
}

/// Implements `Display` for unit enums as their serde name (padded, so that widths
/// and alignment in format strings apply).
macro_rules! display_as_serde_name {
    ($($t:ty),+ $(,)?) => {$(
        impl ::std::fmt::Display for $t {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.pad($crate::variant_names::name_of(self))
            }
        }
    )+};
}
pub(crate) use display_as_serde_name;

/// A serializer that accepts a unit variant only and returns its name.
struct VariantName;

/// What [`VariantName`] returns for anything but a unit variant.
#[derive(Debug)]
struct NotAUnitVariant;

impl fmt::Display for NotAUnitVariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a unit variant")
    }
}

impl std::error::Error for NotAUnitVariant {}

impl serde::ser::Error for NotAUnitVariant {
    fn custom<T: fmt::Display>(_: T) -> Self {
        NotAUnitVariant
    }
}

/// `fn $name(self, _: $ty) -> Result<..>` refusing the value, for each scalar kind.
macro_rules! refuse {
    ($($name:ident: $ty:ty),+ $(,)?) => {$(
        fn $name(self, _: $ty) -> Result<&'static str, NotAUnitVariant> {
            Err(NotAUnitVariant)
        }
    )+};
}

impl Serializer for VariantName {
    type Ok = &'static str;
    type Error = NotAUnitVariant;
    type SerializeSeq = Impossible<&'static str, NotAUnitVariant>;
    type SerializeTuple = Impossible<&'static str, NotAUnitVariant>;
    type SerializeTupleStruct = Impossible<&'static str, NotAUnitVariant>;
    type SerializeTupleVariant = Impossible<&'static str, NotAUnitVariant>;
    type SerializeMap = Impossible<&'static str, NotAUnitVariant>;
    type SerializeStruct = Impossible<&'static str, NotAUnitVariant>;
    type SerializeStructVariant = Impossible<&'static str, NotAUnitVariant>;

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<&'static str, NotAUnitVariant> {
        Ok(variant)
    }

    refuse!(
        serialize_bool: bool,
        serialize_i8: i8,
        serialize_i16: i16,
        serialize_i32: i32,
        serialize_i64: i64,
        serialize_u8: u8,
        serialize_u16: u16,
        serialize_u32: u32,
        serialize_u64: u64,
        serialize_f32: f32,
        serialize_f64: f64,
        serialize_char: char,
        serialize_str: &str,
        serialize_bytes: &[u8],
        serialize_unit_struct: &'static str,
    );

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }

    fn serialize_none(self) -> Result<&'static str, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<&'static str, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }

    fn serialize_unit(self) -> Result<&'static str, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: &T,
    ) -> Result<&'static str, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<&'static str, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }

    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
}

#[cfg(test)]
mod tests {
    use super::{from_name, name_of};

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Weather {
        BlueSky,
        #[serde(rename = "+5m")]
        Odd,
    }
    display_as_serde_name!(Weather);

    #[test]
    fn names_are_the_serde_names_both_ways() {
        assert_eq!(name_of(&Weather::BlueSky), "blue_sky");
        assert_eq!(name_of(&Weather::Odd), "+5m");
        assert_eq!(from_name::<Weather>("+5m"), Some(Weather::Odd));
        assert_eq!(from_name::<Weather>("blue_sky"), Some(Weather::BlueSky));
        assert_eq!(from_name::<Weather>("Blue_Sky"), None);
        assert_eq!(from_name::<Weather>(""), None);
    }

    #[test]
    fn display_pads_like_a_str() {
        assert_eq!(format!("[{:<10}]", Weather::BlueSky), "[blue_sky  ]");
        assert_eq!(format!("{:>4}", Weather::Odd), " +5m");
    }

    #[test]
    #[should_panic(expected = "unit enum variants only")]
    fn anything_else_is_refused() {
        name_of(&3u32);
    }
}
