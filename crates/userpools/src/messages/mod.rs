//! What users are sent: invitations and codes (`notify`), and the one-time codes themselves,
//! their limits and their masked destinations (`codes`).

pub(crate) mod codes;
pub(crate) mod notify;
