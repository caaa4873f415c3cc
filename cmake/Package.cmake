# CPack: `cpack -G DEB` in a build directory configured with
# -DCMAKE_INSTALL_PREFIX=/usr (scripts/release.sh does both).  The runtime
# Depends are computed by dpkg-shlibdeps from the binary itself, so they
# name exactly the shared libraries this build links (libgit2's soname
# changes between distributions, which is why the .deb is per release of
# Debian and the container image is the portable way: docs/install.md).
set(CPACK_PACKAGE_NAME meshgate)
set(CPACK_PACKAGE_VENDOR "meshgate")
set(CPACK_PACKAGE_CONTACT "meshgate maintainers <maintainers@users.noreply.github.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "validate and apply data products kept as code in git")
set(CPACK_PACKAGE_DESCRIPTION "meshgate checks a data mesh's data-product catalogue (JSON or YAML
files in git) with file:line:col findings - in a pre-commit hook, in the
pull-request check - and applies the grants and revokes a merge causes.")
set(CPACK_PACKAGE_HOMEPAGE_URL "https://github.com/your-org/meshgate")
set(CPACK_RESOURCE_FILE_LICENSE ${CMAKE_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR DEB TGZ)
set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build[^/]*/" "/\\\\.meshgate/" "/node_modules/")
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# the hook runs `git rev-parse`; meshgate itself reads repositories through libgit2
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "git")
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
include(CPack)
