import { cp } from "../../lib/policy";

export const dynamic = "force-dynamic";

/** A server action: the theme cookie goes through cp.setCookie, i.e. cookies().set after the policy. */
async function setTheme(formData: FormData) {
  "use server";
  await cp.setCookie("theme", String(formData.get("theme") ?? "light"));
}

export default function ServerActionPage() {
  return (
    <form action={setTheme}>
      <input name="theme" defaultValue="dark" />
      <button type="submit">Set theme (server action)</button>
    </form>
  );
}
