//! Newtype ids: every asset is an index into a contiguous array of the [`Network`](crate::Network).

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u32);

        impl $name {
            /// The index into the network's array of this kind.
            #[inline]
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl From<usize> for $name {
            #[inline]
            fn from(i: usize) -> Self {
                // Networks hold fewer than 2^32 objects of a kind: the builder checks it.
                $name(i as u32)
            }
        }
    };
}

id_type!(
    /// A bus (a node of the physical network).
    BusId
);
id_type!(
    /// A power-delivery element: line section, transformer or reactor.
    ElementId
);
id_type!(
    /// A protective device: breaker, recloser, sectionalizer, fuse or controlled switch.
    DeviceId
);
id_type!(
    /// A customer, served by one service point and one meter: a customer's meter
    /// is addressed by the customer's id.
    CustomerId
);
id_type!(
    /// A source (circuit, substation bus) feeding the network.
    SourceId
);
id_type!(
    /// An outage device: a place where supply can be lost as a unit (a source, a
    /// protective device, a switch, a distribution transformer or a customer's service).
    /// The first `customer_count` outage devices are the customers' services, in
    /// customer order: `OutageDeviceId(c.0)` is the service of `CustomerId(c.0)`.
    OutageDeviceId
);

/// The marker for "none" in dense `u32` arrays.
pub(crate) const NONE: u32 = u32::MAX;
