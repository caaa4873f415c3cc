# ci-lib.sh - the pull request the CI tests (t0078, t0079) run their jobs on (sourced after
# lib.sh): a scratch HOME with a git identity, $SCRATCH/origin.git whose main holds one valid
# product, the product's file in $f, and `mr NAME broken|good`, which clones it into
# $SCRATCH/NAME (in $ws) on a branch with one commit that breaks the product (an unknown key
# at 3:3) or changes it harmlessly.
git_user
unset GITHUB_REF GITHUB_EVENT_NAME CI_COMMIT_BRANCH CI_MERGE_REQUEST_IID
git init -q --bare "$SCRATCH/origin.git"
git init -q "$SCRATCH/seed"
product "$SCRATCH/seed/data-products-catalogue/prod/orders" orders orders-bucket 111122223333
git -C "$SCRATCH/seed" add -A && git -C "$SCRATCH/seed" commit -q -m main &&
	git -C "$SCRATCH/seed" push -q "$SCRATCH/origin.git" main || exit 1
f=data-products-catalogue/prod/orders/data-product.json
mr() {
	ws=$SCRATCH/$1
	git clone -q "$SCRATCH/origin.git" "$ws" && git -C "$ws" checkout -q -b change || exit 1
	if [ "$2" = broken ]; then
		sed -i 's/"data-product-owner"/"data-product-ownr"/' "$ws/$f"
	else
		sed -i 's/owner@example.com/team@example.com/' "$ws/$f"
	fi
	git -C "$ws" commit -q -a -m change
}
