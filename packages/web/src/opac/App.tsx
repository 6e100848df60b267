/** The public catalog. */
export function App() {
  return (
    <main>
      <h1>Library catalog</h1>
    </main>
  );
}
