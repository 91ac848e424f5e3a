/* vigil-keyring.h
 *
 * Kafka passwords in the desktop keyring (the Secret Service, through libsecret): the only
 * place the app keeps them. An item is keyed by the brokers and the user name, so each cluster
 * account has its own.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void      vigil_keyring_store_password_async   (const char           *brokers,
                                                const char           *username,
                                                const char           *password,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean  vigil_keyring_store_password_finish  (GAsyncResult         *result,
                                                GError              **error);
/* Finishes with NULL and no error when the keyring holds no password for the account. */
void      vigil_keyring_lookup_password_async  (const char           *brokers,
                                                const char           *username,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
char     *vigil_keyring_lookup_password_finish (GAsyncResult         *result,
                                                GError              **error);

G_END_DECLS
