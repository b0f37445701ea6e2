// How a storage volume recorded in a catalog (meta::StorageVolume) is opened:
// its VolumeSpec. Shared by the FE's load path and by the snapshot tools,
// which open the volumes a snapshot's image names without a running cluster.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "meta/catalog/model.h"
#include "objstore/open_object_store.h"

namespace strata::snapshot {

// The VolumeSpec of a catalog storage volume: its first location, the
// aws.s3.* properties (endpoint, region, enable_path_style_access) and
// credentials (access_key, secret_key). An empty location when the volume
// has none (OpenObjectStore then refuses it).
objstore::VolumeSpec VolumeSpecOf(const meta::StorageVolume& volume);

// A location in the form used to compare two spellings of the same root:
// "file://" dropped, trailing '/' removed ("s3://b/p/" == "s3://b/p").
std::string NormalizeLocation(std::string_view location);

}  // namespace strata::snapshot
