import type { ReactNode } from "react";

/** Only the server-action page uses it: every other demo route is a route handler. */
export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
